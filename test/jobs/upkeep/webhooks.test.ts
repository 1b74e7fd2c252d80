import http from 'node:http';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../../src/intake/url-guard.js';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../../fakes/fake-backend.js';
import { until } from '../../helpers/poll.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

interface Received { headers: http.IncomingHttpHeaders; body: string }

/** A local receiver that answers 500 to the first delivery and 200 after. */
async function receiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = received.length === 1 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received, close: () => new Promise((r) => server.close(r)) };
}

describe('webhooks', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SECRET: 's3cret', WEBHOOK_RETRY_BASE_MS: 100 }, { fake: fakeBackend() });
  });
  afterAll(async () => t?.close());

  it('POSTs a signed notice on completion, and retries after a 500', async () => {
    const hook = await receiver();
    try {
      const { body } = await submitFile(t.app, 'hooked.pdf', textPdf([['Tell me when you are done']]), { callback_url: hook.url });
      await waitForEnd(t.app, body.conversion_id);
      await until(() => hook.received.length >= 2, 'the retried webhook delivery');
      expect(hook.received).toHaveLength(2);
      for (const r of hook.received) {
        const expected = `sha256=${createHmac('sha256', 's3cret').update(r.body).digest('hex')}`;
        expect(r.headers['x-pagemill-signature']).toBe(expected);
        expect(r.headers['x-pagemill-event']).toBe('conversion.completed');
        expect(JSON.parse(r.body)).toMatchObject({ event: 'conversion.completed', conversion: { id: body.conversion_id, status: 'completed' } });
      }
      // the server records the delivery after the receiver has the body: wait for the record, not a fixed time
      await until(() => t.runtime.store.get(body.conversion_id)?.webhook_status === 'delivered', 'the delivery recorded');
      expect(t.runtime.store.get(body.conversion_id)).toMatchObject({ webhook_status: 'delivered', webhook_attempts: 2 });
    } finally {
      await hook.close();
    }
  });

  it('tells about failures and cancellations too', async () => {
    const hook = await receiver();
    hook.received.push({ headers: {}, body: '{}' }); // skip the 500
    try {
      const { body } = await submitFile(t.app, 'bad.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'), { callback_url: hook.url });
      await waitForEnd(t.app, body.conversion_id);
      await until(() => hook.received.length >= 2, 'the failure webhook');
      expect(JSON.parse(hook.received[1]!.body)).toMatchObject({ event: 'conversion.failed', conversion: { status: 'error', error_code: 'invalid_pdf' } });
    } finally {
      await hook.close();
    }
  });
});

describe('SSRF guard', () => {
  it('knows private and loopback addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '2606:4700::1111', '8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('refuses private callback URLs unless allowed', async () => {
    const t = await startTestServer({}, { fake: fakeBackend() });
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://localhost/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'ftp://example.com/x', 'not a url']) {
        const res = await submitFile(t.app, 'x.pdf', textPdf([['x']]), { callback_url: url });
        expect(res.status, url).toBe(400);
        expect(res.body.code).toBe('invalid_callback_url');
      }
    } finally {
      await t.close();
    }
  });
});
