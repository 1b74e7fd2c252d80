import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../src/jobs/documents/single-flight.js';

describe('SingleFlight', () => {
  it('runs a key once while it is in progress, again after, and waits for the runs asked for', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;
    let finish!: (n: number) => void;
    const make = () => { runs++; return new Promise<number>((resolve) => { finish = resolve; }); };
    const a = flights.run('a', make);
    const b = flights.run('a', make);
    expect(runs).toBe(1);
    let settled = false;
    const waiting = flights.settled((k) => k === 'a').then(() => { settled = true; });
    await Promise.resolve();
    expect(settled).toBe(false);
    finish(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
    await waiting;
    expect(settled).toBe(true);
    const failing = flights.run('a', () => { runs++; return Promise.reject(new Error('no')); });
    await expect(failing).rejects.toThrow('no');
    expect(runs).toBe(2);
    await flights.settled(() => true); // nothing left running, and a failure never rejects it
  });
});
