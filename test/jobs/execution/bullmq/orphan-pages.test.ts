import { describe, expect, it } from 'vitest';
import { OrphanPages } from '../../../../src/jobs/execution/bullmq/orphan-pages.js';
import { donePage } from '../../../fakes/fake-execution.js';

const job = (id: string, conversionId: string, pageNo: number) => ({ id, data: { dispatchId: id, conversionId, pageNo, timeoutMs: 1000 } });

describe('pages running on worker nodes across a restart of the API node', () => {
  it('are adopted by their page\'s next dispatch, once', () => {
    const orphans = new OrphanPages(60_000);
    expect(orphans.adopt([job('d1', 'c1', 1), job('d2', 'c1', 2), { id: 'bad', data: { conversionId: 'c1' } as never }])).toBe(2);
    expect(orphans.pageOf('d2')).toBe(2);
    expect(orphans.take('c1', 2)).toEqual({ dispatchId: 'd2', result: undefined });
    expect(orphans.take('c1', 2)).toBeUndefined();
    expect(orphans.take('c2', 1)).toBeUndefined();
  });

  it('keep a result posted before the page was asked for again, and only the first one', () => {
    const orphans = new OrphanPages(60_000);
    orphans.adopt([job('d1', 'c1', 1)]);
    expect(orphans.deliver('d1', donePage(1))).toBe(true);
    expect(orphans.deliver('d1', donePage(1, 'again'))).toBe(false);
    expect(orphans.deliver('unknown', donePage(1))).toBe(false);
    expect(orphans.take('c1', 1)).toEqual({ dispatchId: 'd1', result: donePage(1) });
  });

  it('are forgotten when nobody asked for them in time', () => {
    const orphans = new OrphanPages(1_000);
    orphans.adopt([job('d1', 'c1', 1)], 0);
    orphans.prune(500);
    expect(orphans.pageOf('d1')).toBe(1);
    orphans.prune(2_000);
    expect(orphans.pageOf('d1')).toBeUndefined();
  });
});
