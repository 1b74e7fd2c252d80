import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressMessage } from '../../src/schemas/conversion.js';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

/** Publishes nothing until `id` ends; resolves with the frame that ended it. */
function endFrame(t: TestServer, id: string): Promise<ProgressMessage> {
  return new Promise((resolve) => {
    const stop = t.runtime.service.events.subscribe(id, (m) => {
      if (m.status === 'processing') return;
      stop();
      resolve(m);
    });
  });
}

describe('the frame that ends a conversion', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1 });
  });
  afterAll(async () => t?.close());

  it('is the same for a live subscriber and one that comes after the end (completed)', async () => {
    const { body } = await submitFile(t.app, 'two.pdf', textPdf([['First page'], ['Second page']]));
    const live = await endFrame(t, body.conversion_id);
    expect(live.status).toBe('completed');
    expect(live.status === 'completed' && live.results.length).toBe(2);
    expect(await t.runtime.service.queries.terminalMessage(body.conversion_id)).toEqual(live);
  });

  it('is the same for both when the conversion fails', async () => {
    const { body } = await submitFile(t.app, 'broken.pdf', Buffer.from('%PDF-1.4\nnot really a pdf\n%%EOF\n'));
    const live = await endFrame(t, body.conversion_id);
    expect(live.status).toBe('error');
    expect(await t.runtime.service.queries.terminalMessage(body.conversion_id)).toEqual(live);
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('error');
  });
});
