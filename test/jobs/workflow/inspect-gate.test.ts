import { describe, expect, it } from 'vitest';
import { InspectGate } from '../../../src/jobs/workflow/inspect-gate.js';

describe('InspectGate', () => {
  it('never runs more than its limit at once, runs the rest in order, and survives failures', async () => {
    const gate = new InspectGate(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = Array.from({ length: 6 }, (_, i) => gate.run(async () => {
      active++;
      peak = Math.max(peak, active);
      order.push(i);
      await new Promise<void>((r) => releases.push(r));
      active--;
      if (i === 1) throw new Error('inspection failed');
      return i;
    }));
    // Settled from the start: task 1's rejection must not count as unhandled while the others wait.
    const settled = Promise.allSettled(tasks);
    await new Promise((r) => setImmediate(r));
    expect(gate.stats()).toEqual({ running: 2, waiting: 4 });
    while (releases.length) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });
});
