import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { NodeHealth, QUARANTINE_MS } from '../../../../src/jobs/execution/bullmq/node-health.js';

const make = () => {
  const changes: boolean[] = [];
  const health = new NodeHealth(pino({ level: 'silent' }), (taking) => changes.push(taking));
  return { health, changes };
};

describe('whether a worker node takes pages', () => {
  it('takes none until the API node has answered it, none while it cannot reach it or is refused', () => {
    const { health, changes } = make();
    expect(health.takingPages).toBe(false);
    health.unreachable('unreachable', 'no route');
    expect(health.state).toBe('offline');
    health.reached();
    expect(health.takingPages).toBe(true);
    health.unreachable('refused', 'wrong secret');
    expect(health.takingPages).toBe(false);
    expect(health.reason).toBe('wrong secret');
    health.reached();
    expect(changes).toEqual([true, false, true]);
  });

  it('is not taken offline by a page nobody waits for, nor by a stopped call', () => {
    const { health } = make();
    health.reached();
    health.unreachable('gone', 'cancelled');
    health.unreachable('aborted', 'stopped');
    expect(health.takingPages).toBe(true);
  });

  it('reports successes and the page\'s own failures, hands back a failure that may be the node\'s', () => {
    const { health } = make();
    health.reached();
    expect(health.pageEnded(null, 'p1', 'n1', [])).toBe('report');
    expect(health.pageEnded('invalid_pdf', 'p2', 'n1', [])).toBe('report');
    expect(health.pageEnded('worker_crashed', 'p3', 'n1', [])).toBe('hand-back');
    expect(health.pageEnded(null, 'p4', 'n1', [])).toBe('report');
    // a page done between: the next such failure is a first one again
    expect(health.pageEnded('ocr_failed', 'p5', 'n1', [])).toBe('hand-back');
    expect(health.takingPages).toBe(true);
  });

  it('reports a failure the page already had on another node (then the page is the cause), or after three hand-backs', () => {
    const { health } = make();
    health.reached();
    expect(health.pageEnded('worker_crashed', 'p1', 'n2', ['n1'])).toBe('report');
    expect(health.pageEnded('worker_crashed', 'p1', 'n2', ['n2', 'n2', 'n2'])).toBe('report');
  });

  it('the same page failing again on the node that handed it back is no second witness against the node', () => {
    const { health } = make();
    health.reached();
    expect(health.pageEnded('worker_crashed', 'p1', 'n1', [])).toBe('hand-back');
    expect(health.pageEnded('worker_crashed', 'p1', 'n1', ['n1'])).toBe('hand-back');
    expect(health.pageEnded('worker_crashed', 'p1', 'n1', ['n1', 'n1'])).toBe('hand-back');
    expect(health.state).toBe('taking_pages');
  });

  it('quarantines itself when two different pages in a row fail so on it, and takes pages again later', () => {
    const { health, changes } = make();
    health.reached();
    expect(health.pageEnded('worker_crashed', 'p1', 'n1', [])).toBe('hand-back');
    expect(health.pageEnded('storage_error', 'p2', 'n1', [])).toBe('quarantined');
    expect(health.state).toBe('quarantined');
    expect(health.reason).toMatch(/2 pages in a row failed with storage_error/);
    // a heartbeat that gets through does not end a quarantine, nor does an unreachable API change it
    health.reached();
    health.unreachable('unreachable', 'down');
    expect(health.state).toBe('quarantined');
    expect(changes).toEqual([true, false]);
  });

  it('goes back into quarantine when a new page fails so before one is done; a disk failure quarantines at once', () => {
    vi.useFakeTimers();
    try {
      const { health } = make();
      health.reached();
      health.pageEnded('worker_crashed', 'p1', 'n1', []);
      health.pageEnded('worker_crashed', 'p2', 'n1', []);
      vi.advanceTimersByTime(QUARANTINE_MS + 100);
      expect(health.state).toBe('taking_pages');
      expect(health.pageEnded('worker_crashed', 'p3', 'n1', [])).toBe('quarantined');
      vi.advanceTimersByTime(QUARANTINE_MS + 100);
      expect(health.pageEnded(null, 'p4', 'n1', [])).toBe('report');
      expect(health.pageEnded('worker_crashed', 'p5', 'n1', [])).toBe('hand-back');
      health.diskFailed('ENOSPC writing a document');
      expect(health.state).toBe('quarantined');
      expect(health.reason).toMatch(/disk failed: ENOSPC/);
    } finally {
      vi.useRealTimers();
    }
  });
});
