import { describe, expect, it } from 'vitest';
import { ProgressEvents } from '../../../src/jobs/store/progress-events.js';
import type { ProgressMessage } from '../../../src/schemas/conversion.js';

describe('ProgressEvents', () => {
  it('a listener that throws neither stops the others nor makes publish throw', () => {
    const events = new ProgressEvents();
    const reported: unknown[] = [];
    events.onListenerError = (err) => reported.push(err);
    const got: string[] = [];
    events.subscribe('c1', () => {
      throw new Error('socket gone');
    });
    events.subscribe('c1', (m) => got.push(`one:${m.status}`));
    events.subscribeAll((m) => got.push(`all:${m.status}`));
    const message = { conversion_id: 'c1', status: 'cancelled', progress: 0, message: 'x', timestamp: '' } as ProgressMessage;
    expect(() => events.publish(message)).not.toThrow();
    expect(got).toEqual(['one:cancelled', 'all:cancelled']);
    expect(reported).toHaveLength(1);
  });
});
