import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressMessage } from '../../../src/schemas/conversion.js';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../../fakes/fake-backend.js';
import { until } from '../../helpers/poll.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

/**
 * The frame that ended each conversion, as a live subscriber got it: listening from before the
 * submission, so a conversion that ends at once (the fake backend is fast) is not missed.
 */
function endFrames(t: TestServer): Map<string, ProgressMessage> {
  const ends = new Map<string, ProgressMessage>();
  t.runtime.service.events.subscribeAll((m) => {
    if (m.status !== 'processing' && !ends.has(m.conversion_id)) ends.set(m.conversion_id, m);
  });
  return ends;
}

describe('the frame that ends a conversion', () => {
  let t: TestServer;
  let ends: Map<string, ProgressMessage>;
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1 }, { fake: fakeBackend() });
    ends = endFrames(t);
  });
  afterAll(async () => t?.close());

  it('is the same for a live subscriber and one that comes after the end (completed)', async () => {
    const { body } = await submitFile(t.app, 'two.pdf', textPdf([['First page'], ['Second page']]));
    const live = await until(() => ends.get(body.conversion_id), 'the end frame');
    expect(live.status).toBe('completed');
    expect(live.status === 'completed' && live.results.length).toBe(2);
    expect(await t.runtime.service.queries.terminalMessage(body.conversion_id)).toEqual(live);
  });

  it('is the same for both when the conversion fails', async () => {
    const { body } = await submitFile(t.app, 'broken.pdf', Buffer.from('%PDF-1.4\nnot really a pdf\n%%EOF\n'));
    const live = await until(() => ends.get(body.conversion_id), 'the end frame');
    expect(live.status).toBe('error');
    expect(await t.runtime.service.queries.terminalMessage(body.conversion_id)).toEqual(live);
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('error');
  });
});
