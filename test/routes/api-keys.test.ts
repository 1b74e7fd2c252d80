import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { untilStopped } from '../fakes/fake-execution.js';
import { multipart, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef00';

describe('API keys', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ API_KEYS: `alice:${ALICE},bob:${BOB}`, RATE_LIMIT_PER_MINUTE: 40, MAX_CONCURRENT_PER_KEY: 2 }, { fake: fakeBackend() });
  });
  afterAll(async () => t?.close());

  const as = (key: string | null, opts: InjectOptions) =>
    t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(key ? { 'x-api-key': key } : {}) } });
  const submit = (key: string, name: string) => {
    const form = multipart({ name, data: textPdf([[`Owned by whoever sent ${name}`]]) });
    return as(key, { method: 'POST', url: '/convert', payload: form.payload, headers: form.headers });
  };

  it('answers 401 without a valid key, and leaves health, readiness, metrics and docs open', async () => {
    expect((await as(null, { url: '/conversions' })).statusCode).toBe(401);
    expect((await as(null, { url: '/conversions' })).json().code).toBe('unauthorized');
    expect((await as('wrong-key-0123456789', { url: '/conversions' })).statusCode).toBe(401);
    for (const url of ['/health', '/ready', '/metrics', '/docs/json']) expect((await as(null, { url })).statusCode, url).toBe(200);
    expect((await t.app.inject({ url: '/conversions', headers: { authorization: `Bearer ${ALICE}` } })).statusCode).toBe(200);
  });

  it('lets each key see only its own conversions', async () => {
    const a = (await submit(ALICE, 'alice.pdf')).json();
    const b = (await submit(BOB, 'bob.pdf')).json();
    await waitForEnd(t.app, a.conversion_id, undefined, { 'x-api-key': ALICE });
    expect((await as(ALICE, { url: `/conversions/${a.conversion_id}` })).statusCode).toBe(200);
    expect((await as(ALICE, { url: `/conversions/${b.conversion_id}` })).statusCode).toBe(404);
    expect((await as(ALICE, { url: `/conversion-status/${b.conversion_id}` })).statusCode).toBe(404);
    expect((await as(ALICE, { method: 'POST', url: `/conversions/${b.conversion_id}/cancel` })).statusCode).toBe(404);
    expect((await as(ALICE, { method: 'DELETE', url: `/conversions/${b.conversion_id}` })).statusCode).toBe(404);
    const result = await as(ALICE, { url: `/conversions/${a.conversion_id}/result?format=txt` });
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-disposition']).toContain('alice.txt');
    expect(result.body).toContain('Page 1 text'); // what the fake backend reads
    const listed = (await as(ALICE, { url: '/conversions' })).json().conversions.map((c: { id: string }) => c.id);
    expect(listed).toContain(a.conversion_id);
    expect(listed).not.toContain(b.conversion_id);
  });

  it('accepts the key as ?api_key= on the WebSocket, and refuses another key\'s conversion there', async () => {
    const a = (await submit(ALICE, 'ws.pdf')).json();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as { port: number }).port;
    const first = (key: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/conversion/${a.conversion_id}?api_key=${key}`);
      ws.once('message', (d) => { resolve(JSON.parse(String(d))); ws.close(); });
      ws.once('unexpected-response', (_req, res) => resolve({ http: res.statusCode }));
      ws.once('error', reject);
    });
    expect(await first(ALICE)).toMatchObject({ type: 'snapshot', id: a.conversion_id });
    expect(await first(BOB)).toMatchObject({ status: 'error', code: 'conversion_not_found' });
    expect(await first('nope-nope-nope-nope-nope')).toMatchObject({ http: 401 });
  });

  it('limits requests per minute per key with 429 and Retry-After', async () => {
    let res;
    for (let i = 0; i < 60; i++) {
      res = await as(BOB, { url: '/conversions' });
      if (res.statusCode === 429) break;
    }
    expect(res!.statusCode).toBe(429);
    expect(res!.json().code).toBe('rate_limited');
    expect(Number(res!.headers['retry-after'])).toBeGreaterThan(0);
    // another key is not affected
    expect((await as(ALICE, { url: '/conversions' })).statusCode).toBe(200);
  });
});

describe('API keys: concurrent conversions per key', () => {
  it('answers 429 past MAX_CONCURRENT_PER_KEY unfinished conversions', async () => {
    // pages run until stopped: the first conversion is still unfinished when the second comes
    const t = await startTestServer({ API_KEYS: `carol:${ALICE}`, MAX_CONCURRENT_PER_KEY: 1, NUM_WORKERS: 1 }, { fake: fakeBackend(({ signal }) => untilStopped(signal)) });
    try {
      const send = () => {
        const form = multipart({ name: 'c.pdf', data: textPdf(Array.from({ length: 3 }, (_, i) => [`Carol page ${i}`])) });
        return t.app.inject({ method: 'POST', url: '/convert', payload: form.payload, headers: { ...form.headers, 'x-api-key': ALICE } });
      };
      const first = await send();
      expect(first.statusCode).toBe(200);
      const second = await send();
      expect(second.statusCode).toBe(429);
      expect(second.json().code).toBe('too_many_conversions');
      expect(second.headers['retry-after']).toBeTruthy();
      t.runtime.service.operations.cancel(first.json().conversion_id);
    } finally {
      await t.close();
    }
  });
});

describe('API keys without a name', () => {
  // Same first 6 characters: they were both named "pm_liv" and so owned each other's conversions.
  const A = 'pm_live_aaaaaaaaaaaaaaaaaaaa';
  const B = 'pm_live_bbbbbbbbbbbbbbbbbbbb';

  it('are different owners: one cannot read, download, cancel or delete the other\'s conversion', async () => {
    const t = await startTestServer({ API_KEYS: `${A},${B}`, NUM_WORKERS: 1 }, { fake: fakeBackend() });
    try {
      const as = (key: string, method: 'GET' | 'POST' | 'DELETE', url: string) => t.app.inject({ method, url, headers: { 'x-api-key': key } });
      const form = multipart({ name: 'mine.pdf', data: textPdf([['Only key A may read this']]) }); // read as "Page 1 text" by the fake
      const sent = await t.app.inject({ method: 'POST', url: '/convert', payload: form.payload, headers: { ...form.headers, 'x-api-key': A } });
      const id = sent.json().conversion_id as string;
      expect((await waitForEnd(t.app, id, undefined, { 'x-api-key': A })).status).toBe('completed');

      for (const [method, url] of [
        ['GET', `/conversions/${id}`], ['GET', `/conversions/${id}/result?format=txt`],
        ['POST', `/conversions/${id}/cancel`], ['DELETE', `/conversions/${id}`],
      ] as const) {
        const res = await as(B, method, url);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json().code, `${method} ${url}`).toBe('conversion_not_found');
      }
      expect((await as(B, 'GET', '/conversions')).json().conversions).toEqual([]);
      // and the conversion is still there, A's to read
      expect((await as(A, 'GET', `/conversions/${id}/result?format=txt`)).body).toContain('Page 1 text');
    } finally {
      await t.close();
    }
  });
});
