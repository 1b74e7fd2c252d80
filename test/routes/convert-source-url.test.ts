import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { errorReplySchema, expectSchema } from '../helpers/expect-schema.js';
import { multipart, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

const PDF = textPdf([['A document fetched by URL']]);
const BIG = Buffer.alloc(2 * 1024 * 1024 + 10, 0x20);

/** The other end: a real HTTP server on loopback with one route per case. */
function originServer(): http.Server {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin');
    const redirect = (to: string) => res.writeHead(302, { location: to }).end();
    switch (url.pathname) {
      case '/files/report.pdf': return res.writeHead(200, { 'content-type': 'application/pdf' }).end(PDF);
      case '/download': return res.writeHead(200, { 'content-disposition': `attachment; filename="fallback.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.pdf` }).end(PDF);
      case '/evil-name': return res.writeHead(200, { 'content-disposition': "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd%07.pdf" }).end(PDF);
      case '/hop1': return redirect('/hop2');
      case '/hop2': return redirect('/files/report.pdf');
      case '/loop': return redirect('/loop');
      case '/to-metadata': return redirect('http://169.254.169.254/latest/meta-data/');
      case '/to-private-v6': return redirect('http://[::ffff:10.0.0.1]/x.pdf');
      case '/to-file': return redirect('file:///etc/passwd');
      case '/big': return res.writeHead(200, { 'content-length': BIG.length }).end(BIG);
      case '/big-chunked': {
        // No Content-Length: the limit must hold while the body streams.
        res.writeHead(200);
        for (let i = 0; i < BIG.length; i += 64 * 1024) res.write(BIG.subarray(i, i + 64 * 1024));
        return res.end();
      }
      case '/stall': res.writeHead(200, { 'content-type': 'application/pdf' }); res.write(PDF.subarray(0, 100)); held.push(res); return;
      case '/page.html': return res.writeHead(200, { 'content-type': 'application/pdf' }).end('<!doctype html><html><body>Sign in</body></html>');
      case '/empty': return res.writeHead(200).end();
      default: return res.writeHead(404).end('not here');
    }
  });
  server.on('close', () => held.forEach((r) => r.destroy()));
  return server;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function convertUrl(t: TestServer, sourceUrl: string, as: 'multipart' | 'form' | 'json' = 'multipart') {
  const body = as === 'multipart' ? multipart(null, { source_url: sourceUrl, prompt_mode: 'prompt_ocr' })
    : as === 'form' ? { payload: new URLSearchParams({ source_url: sourceUrl }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : { payload: JSON.stringify({ source_url: sourceUrl }), headers: { 'content-type': 'application/json' } };
  const res = await t.app.inject({ method: 'POST', url: '/convert', ...body });
  const json = res.json();
  if (res.statusCode !== 200) expectSchema(errorReplySchema, json, `POST /convert ${res.statusCode}`);
  return { status: res.statusCode, body: json as { conversion_id: string; code?: string; detail?: string; filename?: string } };
}

const leftovers = async (t: TestServer) => (await fs.readdir(path.join(t.config.DATA_DIR, 'uploads'))).filter((n) => n.startsWith('tmp-'));

describe('POST /convert with source_url', () => {
  const origin = originServer();
  let base = '';
  let allowed: TestServer;
  let guarded: TestServer;
  let closedPort = '';

  beforeAll(async () => {
    base = await listen(origin);
    const probe = http.createServer();
    closedPort = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    allowed = await startTestServer({ SOURCE_URL_ALLOW: '127.0.0.1', MAX_UPLOAD_MB: 1, SOURCE_URL_TIMEOUT_S: 2, SOURCE_URL_MAX_REDIRECTS: 3 }, { fake: fakeBackend() });
    guarded = await startTestServer({}, { fake: fakeBackend() });
  });
  afterAll(async () => {
    await Promise.all([allowed?.close(), guarded?.close()]);
    await new Promise((resolve) => origin.close(resolve));
  });

  it('downloads a loopback URL the allowlist names, and converts it under its URL name', async () => {
    const { status, body } = await convertUrl(allowed, `${base}/files/report.pdf`);
    expect(status).toBe(200);
    expect(body.filename).toBe('report.pdf');
    expect((await waitForEnd(allowed.app, body.conversion_id)).status).toBe('completed');
    const txt = await allowed.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` });
    expect(txt.body).toContain('Page 1 text');
  });

  it('takes source_url as an urlencoded or JSON field too', async () => {
    for (const as of ['form', 'json'] as const) {
      const { status, body } = await convertUrl(allowed, `${base}/files/report.pdf`, as);
      expect(status, as).toBe(200);
      expect((await waitForEnd(allowed.app, body.conversion_id)).status).toBe('completed');
    }
  });

  it('names the document from Content-Disposition (filename* first), made safe as an upload\'s name', async () => {
    const named = await convertUrl(allowed, `${base}/download?id=7`);
    expect(named.body.filename).toBe('Résumé final.pdf');
    const evil = await convertUrl(allowed, `${base}/evil-name`);
    expect(evil.status).toBe(200);
    expect(evil.body.filename).toBe('passwd.pdf');
    const record = await waitForEnd(allowed.app, evil.body.conversion_id);
    expect(record.output_stem).toBe('passwd');
  });

  it('follows redirects (each hop checked) and names the document from the last URL', async () => {
    const { status, body } = await convertUrl(allowed, `${base}/hop1`);
    expect(status).toBe(200);
    expect(body.filename).toBe('report.pdf');
  });

  it('refuses a loopback URL when no allowlist names it, before connecting', async () => {
    for (const url of [`${base}/files/report.pdf`, `http://localhost:${new URL(base).port}/files/report.pdf`, 'http://[::ffff:127.0.0.1]/x.pdf', 'http://10.1.2.3/x.pdf',
      // other spellings of loopback the URL parser turns into 127.0.0.1
      'http://2130706433/x.pdf', 'http://0x7f.1/x.pdf', 'http://0177.0.0.1/x.pdf', 'http://0/x.pdf']) {
      const { status, body } = await convertUrl(guarded, url);
      expect([status, body.code], url).toEqual([400, 'source_url_refused']);
    }
  });

  it('refuses a redirect to a private address, or to another scheme', async () => {
    for (const route of ['/to-metadata', '/to-private-v6']) {
      const { status, body } = await convertUrl(allowed, `${base}${route}`);
      expect([status, body.code], route).toEqual([400, 'source_url_refused']);
    }
    const file = await convertUrl(allowed, `${base}/to-file`);
    expect([file.status, file.body.code]).toEqual([502, 'source_url_unreachable']);
    const loop = await convertUrl(allowed, `${base}/loop`);
    expect([loop.status, loop.body.code]).toEqual([502, 'source_url_unreachable']);
    expect(loop.body.detail).toContain('SOURCE_URL_MAX_REDIRECTS');
  });

  it('refuses a document over MAX_UPLOAD_MB, declared or streamed', async () => {
    for (const route of ['/big', '/big-chunked']) {
      const { status, body } = await convertUrl(allowed, `${base}${route}`);
      expect([status, body.code], route).toEqual([413, 'source_url_too_large']);
    }
    expect(await leftovers(allowed)).toEqual([]);
  });

  it('stops a download that takes longer than SOURCE_URL_TIMEOUT_S', async () => {
    const { status, body } = await convertUrl(allowed, `${base}/stall`);
    expect([status, body.code]).toEqual([504, 'source_url_timeout']);
    expect(await leftovers(allowed)).toEqual([]);
  });

  it('sniffs the content as uploads are: an HTML page served as application/pdf is refused', async () => {
    const html = await convertUrl(allowed, `${base}/page.html`);
    expect([html.status, html.body.code]).toEqual([415, 'unsupported_media_type']);
    expect(html.body.detail).toContain('an HTML page');
    const empty = await convertUrl(allowed, `${base}/empty`);
    expect([empty.status, empty.body.code]).toEqual([400, 'empty_file']);
  });

  it('names unreachable URLs: HTTP errors, refused connections, unknown hosts', async () => {
    for (const url of [`${base}/nothing-here.pdf`, `${closedPort}/x.pdf`, 'http://no-such-host.invalid/x.pdf']) {
      const { status, body } = await convertUrl(allowed, url);
      expect([status, body.code], url).toEqual([502, 'source_url_unreachable']);
    }
    expect(await leftovers(allowed)).toEqual([]);
  });

  it('refuses malformed URLs, other schemes, credentials, and a second source beside it', async () => {
    for (const url of ['not a url', 'ftp://example.com/x.pdf', 'file:///etc/passwd', `http://user:pw@127.0.0.1/x.pdf`]) {
      const { status, body } = await convertUrl(allowed, url);
      expect([status, body.code], url).toEqual([400, 'invalid_source_url']);
    }
    const both = await allowed.app.inject({ method: 'POST', url: '/convert', ...multipart({ name: 'a.pdf', data: PDF }, { source_url: `${base}/files/report.pdf` }) });
    expect([both.statusCode, both.json().code]).toEqual([400, 'validation_error']);
    expect(await leftovers(allowed)).toEqual([]);
  });
});
