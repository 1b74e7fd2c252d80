import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../../fakes/fake-backend.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

/** Webhook deliveries run detached: a store that fails under them (a full disk) must not crash the process. */
describe('webhook delivery when the store fails', () => {
  let t: TestServer;
  const escaped: unknown[] = [];
  const onRejection = (err: unknown) => escaped.push(err);
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: 100 }, { fake: fakeBackend() });
    process.on('unhandledRejection', onRejection);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await t?.close();
  });

  it('logs the failure instead of leaving an unhandled rejection', async () => {
    const store = t.runtime.store;
    const original = store.setWebhookState.bind(store);
    store.setWebhookState = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    try {
      const { body } = await submitFile(t.app, 'hooked.pdf', textPdf([['Webhook store failure']]), { callback_url: 'http://127.0.0.1:9/hook' });
      expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
      await new Promise((r) => setTimeout(r, 300)); // the delivery runs right after the terminal event
    } finally {
      store.setWebhookState = original;
    }
    expect(escaped).toEqual([]);
    expect((await t.app.inject({ url: '/health' })).statusCode).toBe(200);
  });
});
