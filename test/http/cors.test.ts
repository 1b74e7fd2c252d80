import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { allowedOrigins } from '../../src/http/cors.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PAGE = 'http://frontend.example:3000';
const KEY = 'alice-key-0123456789abcdef';

const preflight = (t: TestServer, url: string, method: string, headers: string, origin = PAGE) =>
  t.app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

/** Opens a WebSocket with the given Origin; resolves with the first frame or the refused upgrade's status. */
function firstFrame(port: number, path: string, origin?: string) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, origin ? { origin } : {});
    ws.once('message', (d) => { resolve(JSON.parse(String(d))); ws.close(); });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c; });
      res.on('end', () => resolve({ http: res.statusCode, body: JSON.parse(body) }));
    });
    ws.once('error', reject);
  });
}

describe('CORS, any origin (the default, as the older backend)', () => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer({ NUM_WORKERS: 1 }, { fake: fakeBackend() }); });
  afterAll(async () => t?.close());

  it('answers preflights on every route with any method and the headers the page asked for', async () => {
    const cases: Array<[string, string]> = [
      ['/documents', 'GET'], ['/upload', 'POST'], ['/convert', 'POST'], ['/config', 'GET'],
      ['/conversions/abc', 'DELETE'], ['/conversions/abc/cancel', 'POST'], ['/markdown/x', 'GET'],
    ];
    for (const [url, method] of cases) {
      const res = await preflight(t, url, method, 'currentlanguage,x-api-key,idempotency-key,content-type');
      expect(res.statusCode, url).toBe(204);
      expect(res.headers['access-control-allow-origin'], url).toBe('*');
      expect(String(res.headers['access-control-allow-methods']).split(/,\s*/), url).toContain(method);
      expect(res.headers['access-control-allow-headers'], url).toBe('currentlanguage,x-api-key,idempotency-key,content-type');
    }
  });

  it('puts the origin and the exposed headers on real replies', async () => {
    const res = await t.app.inject({ url: '/health', headers: { origin: PAGE } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/))
      .toEqual(expect.arrayContaining(['x-request-id', 'retry-after', 'content-disposition']));
  });

  it('lets WebSockets from any origin, and without Origin, upgrade', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as { port: number }).port;
    expect(await firstFrame(port, '/ws/conversions', 'http://anything.example')).toMatchObject({ type: 'snapshot' });
    expect(await firstFrame(port, '/ws/conversions')).toMatchObject({ type: 'snapshot' });
  });
});

describe('CORS, a list of origins and API keys on', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1, CORS_ORIGINS: `${PAGE}, http://other.example`, API_KEYS: `alice:${KEY}` }, { fake: fakeBackend() });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => t?.close());

  it('answers a listed origin\'s preflight without a key, and still wants the key on the real request', async () => {
    const pre = await preflight(t, '/documents', 'GET', 'x-api-key,currentlanguage');
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(PAGE);
    expect(pre.headers.vary).toMatch(/origin/i);

    const without = await t.app.inject({ url: '/documents', headers: { origin: PAGE, currentlanguage: 'en' } });
    expect(without.statusCode).toBe(401);
    expect(without.json().code).toBe('unauthorized');
    // the page can read why it failed
    expect(without.headers['access-control-allow-origin']).toBe(PAGE);

    const withKey = await t.app.inject({ url: '/documents', headers: { origin: PAGE, 'x-api-key': KEY } });
    expect(withKey.statusCode).toBe(200);
    expect(withKey.headers['access-control-allow-origin']).toBe(PAGE);
  });

  it('answers a bare OPTIONS with nothing, and another method still needs the key', async () => {
    const bare = await t.app.inject({ method: 'OPTIONS', url: '/documents' });
    expect(bare.statusCode).toBe(204);
    expect(bare.body).toBe('');
    const del = await t.app.inject({ method: 'DELETE', url: '/conversions/abc', headers: { origin: PAGE } });
    expect(del.statusCode).toBe(401);
  });

  it('gives an origin that is not listed no CORS headers', async () => {
    const pre = await preflight(t, '/documents', 'GET', 'x-api-key', 'http://evil.example');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const res = await t.app.inject({ url: '/health', headers: { origin: 'http://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a WebSocket upgrade from an origin that is not listed with 403, before the upgrade', async () => {
    expect(await firstFrame(port, `/ws/conversions?api_key=${KEY}`, 'http://evil.example'))
      .toMatchObject({ http: 403, body: { code: 'origin_not_allowed' } });
    expect(await firstFrame(port, `/ws/conversions?api_key=${KEY}`, PAGE)).toMatchObject({ type: 'snapshot' });
    // a non-browser client sends no Origin
    expect(await firstFrame(port, `/ws/conversions?api_key=${KEY}`)).toMatchObject({ type: 'snapshot' });
    // and the key is still required from a listed origin
    expect(await firstFrame(port, '/ws/conversions', PAGE)).toMatchObject({ http: 401, body: { code: 'unauthorized' } });
  });
});

describe('CORS_ORIGINS emptied: no cross-origin browser access', () => {
  it('reads only a `*` as any origin; unset is `*`, empty or only commas and spaces is none', () => {
    const config = loadConfig();
    expect(allowedOrigins(config)).toBe('*');
    for (const value of ['', ' ', ',', ' , ,']) expect(allowedOrigins({ ...config, CORS_ORIGINS: value }), JSON.stringify(value)).toEqual([]);
    expect(allowedOrigins({ ...config, CORS_ORIGINS: `${PAGE}/, *` })).toBe('*');
    expect(allowedOrigins({ ...config, CORS_ORIGINS: `${PAGE}/,` })).toEqual([PAGE]);
  });

  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    // What reaches the app from `CORS_ORIGINS= , ` (a value with nothing in it).
    t = await startTestServer({ NUM_WORKERS: 1, CORS_ORIGINS: ' , ' }, { fake: fakeBackend() });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => t?.close());

  it('gives a page of any origin no CORS allow headers, on preflights and real replies', async () => {
    const pre = await preflight(t, '/documents', 'GET', 'x-api-key');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const res = await t.app.inject({ url: '/health', headers: { origin: PAGE } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses cross-origin WebSocket upgrades with 403 origin_not_allowed, and leaves clients without Origin alone', async () => {
    expect(await firstFrame(port, '/ws/conversions', PAGE)).toMatchObject({ http: 403, body: { code: 'origin_not_allowed' } });
    expect(await firstFrame(port, '/ws/conversions')).toMatchObject({ type: 'snapshot' });
    expect((await t.app.inject({ url: '/documents' })).statusCode).toBe(200);
  });

  it('lets the server\'s own web page open its progress socket (browsers send Origin on same-origin upgrades)', async () => {
    expect(await firstFrame(port, '/ws/conversions', `http://127.0.0.1:${port}`)).toMatchObject({ type: 'snapshot' });
  });
});
