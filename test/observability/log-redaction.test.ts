import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/observability/logger.js';
import { redactSecrets } from '../../src/observability/log-redaction.js';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { until } from '../helpers/poll.js';
import { multipart, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

const SECRET = 'SECRETKEY-0123456789abcdef';
const WRONG = 'WRONGSECRET-0123456789abc';
const HOOK_TOKEN = 'HOOKTOKEN-9876543210';
const HOOK_PASSWORD = 'HOOKPASSWORD-55555';

describe('secrets in logs', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  let t: TestServer;
  let base: string;
  beforeAll(async () => {
    t = await startTestServer(
      { API_KEYS: `alice:${SECRET}`, WEBHOOK_MAX_ATTEMPTS: 1, LOG_LEVEL: 'debug' },
      { logger: createLogger({ LOG_LEVEL: 'debug' }, sink), fake: fakeBackend() },
    );
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => t?.close());

  it('never writes an API key, webhook token or webhook password, in any request or webhook line', async () => {
    expect((await fetch(`http://${base}/conversions?api_key=${SECRET}&limit=5`)).status).toBe(200);
    expect((await fetch(`http://${base}/conversions?limit=5&api_key=${WRONG}`)).status).toBe(401);
    expect((await fetch(`http://${base}/no-such-route?token=${SECRET}`)).status).toBe(401);

    // Credentials in the URL are refused, token-bearing query strings are accepted and logged redacted.
    const bad = multipart(null, { filename: 'x.pdf', callback_url: `https://hook:${HOOK_PASSWORD}@hooks.invalid/x` });
    const refused = await fetch(`http://${base}/convert?api_key=${SECRET}`, { method: 'POST', body: bad.payload, headers: bad.headers });
    expect(refused.status).toBe(400);
    const form = multipart({ name: 'hooked.pdf', data: textPdf([['Webhook secrets test']]) }, {
      callback_url: `https://hooks.invalid/notify?token=${HOOK_TOKEN}&x=1`,
    });
    const res = await fetch(`http://${base}/convert?api_key=${SECRET}`, { method: 'POST', body: form.payload, headers: form.headers });
    expect(res.status).toBe(200);
    const { conversion_id: id } = (await res.json()) as { conversion_id: string };
    await waitForEnd(t.app, id, 60_000, { 'x-api-key': SECRET });

    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://${base}/ws/conversion/${id}?api_key=${SECRET}`);
      ws.once('message', () => { ws.close(); resolve(); });
      ws.once('error', reject);
    });
    await until(() => lines.some((l) => l.includes('webhook given up')), 'the webhook given up', 30_000, 100);

    const log = lines.join('');
    expect(log).toContain('webhook given up'); // the webhook URL was logged at all
    expect(log).toContain('/conversions?api_key=[REDACTED]&limit=5'); // request lines were logged at all
    for (const secret of [SECRET, WRONG, HOOK_TOKEN, HOOK_PASSWORD]) expect(log, secret).not.toContain(secret);
  });

  it('never writes a key sent under a percent-encoded parameter name, which Fastify decodes and accepts', async () => {
    const from = lines.length;
    for (const name of ['api%5Fkey', '%61pi_key', 'api%5fkey']) {
      expect((await fetch(`http://${base}/conversions?limit=1&${name}=${SECRET}`)).status, name).toBe(200);
    }
    expect((await fetch(`http://${base}/no-such-route?API%5FKEY=${SECRET}`)).status).toBe(401);
    await until(() => lines.slice(from).some((l) => l.includes('/no-such-route')), 'the /no-such-route request logged', 10_000, 50);
    const log = lines.slice(from).join('');
    expect(log).toContain('/conversions?limit=1&api%5Fkey=[REDACTED]'); // the request lines were logged at all
    expect(log).not.toContain(SECRET);
  });
});

describe('redactSecrets', () => {
  it('redacts secret query parameters and URL credentials, and nothing else', () => {
    expect(redactSecrets('/a?api_key=x&page=2&token=y#f')).toBe('/a?api_key=[REDACTED]&page=2&token=[REDACTED]#f');
    expect(redactSecrets('https://u:p@h.example/x?access_token=t&Signature=s')).toBe(
      'https://[REDACTED]@h.example/x?access_token=[REDACTED]&Signature=[REDACTED]',
    );
    expect(redactSecrets('/documents?page_no=3&monkey=1')).toBe('/documents?page_no=3&monkey=1');
  });

  it('judges a parameter by its percent-decoded name, in any case, as the server reads it', () => {
    for (const name of ['api%5Fkey', 'api%5fkey', '%61pi_key', '%61%70%69%5F%6B%65%79', 'API_KEY', 'Api%5FKey', 'to%6Ben', 'x%2Damz%2Dsignature']) {
      expect(redactSecrets(`/a?page=2&${name}=S3CR3T&b=1`), name).toBe(`/a?page=2&${name}=[REDACTED]&b=1`);
    }
    expect(redactSecrets('/a?pag%65=2&mon%6Bey=1')).toBe('/a?pag%65=2&mon%6Bey=1');
  });

  it('never throws on malformed escapes, and still redacts the parameters after them', () => {
    for (const bad of ['/a?%=1', '/a?%E0%A4%A=1', '/a?%zz=1', '/a?%%%=1', '/a?api%5=1', '/a?%F0%9F=1']) {
      expect(() => redactSecrets(bad), bad).not.toThrow();
      expect(redactSecrets(`${bad}&api%5Fkey=S3CR3T`), bad).toBe(`${bad}&api%5Fkey=[REDACTED]`);
    }
  });

  it('redacts the whole value, and secrets in URLs inside another parameter\'s value', () => {
    expect(redactSecrets('/a?api_key=ab?cd;x=1')).toBe('/a?api_key=[REDACTED];x=1');
    expect(redactSecrets('/a?next=https://h.example/cb?token=T0K&x=1')).toBe('/a?next=https://h.example/cb?token=[REDACTED]&x=1');
  });
});
