import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/**
 * The older web frontend's way of calling pagemill, in a real browser, from a page on ANOTHER
 * origin: every call carries its custom `currentLanguage` header (so the browser preflights it),
 * the document is uploaded, converted, followed over the WebSocket, and its Markdown fetched.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FRONTEND_SCRIPT = `
async function run(api, key) {
  const log = [];
  const headers = key ? { currentLanguage: 'en', 'X-API-Key': key } : { currentLanguage: 'en' };
  const call = async (path, init = {}) => {
    const res = await fetch(api + path, { ...init, headers: { ...headers, ...(init.headers || {}) } });
    const body = await res.json();
    log.push(path.split('?')[0] + ' ' + res.status);
    if (!res.ok) throw new Error(path + ' ' + res.status);
    return body;
  };
  const config = await call('/config');
  log.push('basePath=' + JSON.stringify(config.basePath) + ' length=' + config.basePath.length);
  const pdf = await (await fetch('/notice.pdf')).blob();
  const upload = new FormData();
  upload.append('file', new File([pdf], 'harbour notice.pdf', { type: 'application/pdf' }));
  const uploaded = await call('/upload', { method: 'POST', body: upload });
  const form = new FormData();
  form.append('filename', uploaded.filename);
  form.append('prompt_mode', 'prompt_layout_all_en');
  const accepted = await call('/convert', { method: 'POST', body: form });
  const statuses = await new Promise((resolve, reject) => {
    const seen = [];
    const query = key ? '?api_key=' + encodeURIComponent(key) : '';
    const ws = new WebSocket(api.replace(/^http/, 'ws') + '/ws/conversion/' + accepted.conversion_id + query);
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      seen.push(m.status);
      if (m.status === 'completed' || m.status === 'error') resolve(seen);
    };
    ws.onerror = () => reject(new Error('websocket failed'));
    ws.onclose = (e) => { if (!seen.includes('completed')) reject(new Error('websocket closed ' + e.code)); };
  });
  await call('/conversion-status/' + accepted.conversion_id);
  await call('/worker-pool-status');
  await call('/health');
  const docs = await call('/documents');
  const stem = uploaded.filename.replace(/\\.[^.]+$/, '');
  const markdown = await call('/markdown/' + encodeURIComponent(stem));
  const pages = await call('/markdown/' + encodeURIComponent(stem) + '?page_no=0');
  const files = await call('/markdown-files/' + encodeURIComponent(stem));
  return {
    conversionId: accepted.conversion_id, log, statuses, documents: docs.documents.length,
    markdown: markdown.content, page: pages.content, files: files.files.length,
  };
}
const params = new URLSearchParams(location.search);
window.result = run(params.get('api'), params.get('key')).then(
  (value) => ({ ok: true, value }),
  (err) => ({ ok: false, error: String(err && err.message || err) }),
);
`;

/** A tiny static server for the "frontend": its page and the document it uploads. */
async function startFrontend(pdf: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/notice.pdf')) return void res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
    if (req.url === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(FRONTEND_SCRIPT);
    const html = '<!doctype html><title>older frontend</title><script src="/app.js"></script>';
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // "localhost" here and "127.0.0.1" for pagemill: two origins, as in the older deployment.
  return { url: `http://localhost:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a page on another origin, calling pagemill like the older frontend', () => {
  let browser: Browser;
  let frontend: Awaited<ReturnType<typeof startFrontend>>;
  beforeAll(async () => {
    frontend = await startFrontend(textPdf([['Harbour notice for all captains', 'Moor at the north quay']]));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await frontend?.close();
  });

  async function runFrontend(corsOrigins: string, keys: { server?: string; page?: string } = {}) {
    const t: TestServer = await startTestServer({ NUM_WORKERS: 1, CORS_ORIGINS: corsOrigins, API_KEYS: keys.server ?? '' });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const api = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      // What reached pagemill, as "METHOD /path": the browser's preflights included.
      const seen: string[] = [];
      t.app.server.on('request', (req: http.IncomingMessage) => seen.push(`${req.method} ${req.url?.split('?')[0]}`));
      const page = await browser.newPage();
      await page.goto(`${frontend.url}/?api=${encodeURIComponent(api)}${keys.page ? `&key=${keys.page}` : ''}`);
      const result = await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result);
      await page.close();
      type Outcome = { log: string[]; statuses: string[] } & Record<string, unknown>;
      return { ...(result as { ok: boolean; error?: string; value?: Outcome }), seen };
    } finally {
      await t.close();
    }
  }

  it('uploads (preflighted), converts, follows the WebSocket to completed and reads the Markdown', async () => {
    const result = await runFrontend('*');
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    const v = result.value!;
    expect(v.log).toEqual([
      '/config 200', 'basePath="" length=0', '/upload 200', '/convert 200', `/conversion-status/${v.conversionId} 200`,
      '/worker-pool-status 200', '/health 200', '/documents 200', '/markdown/harbour_notice 200', '/markdown/harbour_notice 200',
      '/markdown-files/harbour_notice 200',
    ]);
    expect(v.files).toBe(1);
    // the custom header made the browser ask first, and pagemill said yes
    expect(result.seen).toEqual(expect.arrayContaining(['OPTIONS /config', 'OPTIONS /upload', 'OPTIONS /convert']));
    expect(v.statuses.at(-1)).toBe('completed');
    expect(v.markdown).toContain('Harbour notice for all captains');
    expect(v.page).toContain('Moor at the north quay');
  });

  it('works with the page\'s origin listed in CORS_ORIGINS', async () => {
    const result = await runFrontend(`http://elsewhere.example,${frontend.url}`);
    expect(result.error).toBeUndefined();
    expect(result.value!.statuses.at(-1)).toBe('completed');
  });

  it('works with API keys on: preflights pass without the key, every real call carries it', async () => {
    const key = 'browser-key-0123456789abcdef';
    const result = await runFrontend('*', { server: `web:${key}`, page: key });
    expect(result.error).toBeUndefined();
    expect(result.value!.statuses.at(-1)).toBe('completed');
    // and without the key the page gets a 401 it can read (not a CORS failure)
    const refused = await runFrontend('*', { server: `web:${key}` });
    expect(refused).toMatchObject({ ok: false, error: '/upload 401' });
  });

  it('is blocked by the browser when pagemill does not allow the page\'s origin', async () => {
    const result = await runFrontend('http://elsewhere.example');
    expect(result.ok).toBe(false);
    // the very first call fails: the browser refuses the reply (no Access-Control-Allow-Origin)
    expect(result.error).toMatch(/fetch/i);
  });
});
