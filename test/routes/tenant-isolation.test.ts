import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { textLayerBackend } from '../fakes/text-layer-backend.js';
import { registeredRoutes } from '../helpers/route-list.js';
import { multipart, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef00';

/**
 * Walks EVERY registered route as key B against key A's conversion and document: routes that
 * name A's conversion or document answer 404, and no reply (lists, stats, sockets included)
 * carries anything of A's. A route added later is walked too, without being listed here.
 */
describe('tenant isolation on every route', () => {
  let t: TestServer;
  let port: number;
  const a = { id: '', stem: 'alpha-report', input: 'alpha-report.pdf', text: 'Alpha confidential' };
  const markers = () => [a.id, a.stem, a.text];

  beforeAll(async () => {
    // Routes and owners are real; the page is read by the fake backend, with A's marker text.
    t = await startTestServer({ API_KEYS: `alice:${ALICE},bob:${BOB}`, RATE_LIMIT_PER_MINUTE: 10_000 }, { fake: textLayerBackend(`${a.text} numbers for the board`) });
    const up = multipart({ name: a.input, data: textPdf([[`${a.text} numbers for the board`]]) });
    const uploaded = await t.app.inject({ method: 'POST', url: '/upload', payload: up.payload, headers: { ...up.headers, 'x-api-key': ALICE } });
    expect(uploaded.json().filename).toBe(a.input);
    const conv = multipart(null, { filename: a.input });
    const res = await t.app.inject({ method: 'POST', url: '/convert', payload: conv.payload, headers: { ...conv.headers, 'x-api-key': ALICE } });
    a.id = res.json().conversion_id;
    expect((await waitForEnd(t.app, a.id, 60_000, { 'x-api-key': ALICE })).status).toBe('completed');
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => t?.close());

  const fill = (path: string) =>
    path.replace(':id', a.id).replace(':stem', a.stem).replace(':n', '1').replace(/\*$/, 'x');

  /** The first frames a socket sends within a moment (or its close), as text. */
  const socketFrames = (path: string, key: string) => new Promise<string>((resolve, reject) => {
    const frames: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { 'x-api-key': key } });
    const done = () => { ws.terminate(); resolve(frames.join('\n')); };
    ws.on('message', (d) => { frames.push(String(d)); if (frames.length >= 2) done(); });
    ws.on('close', done);
    ws.on('unexpected-response', (_req, res) => { frames.push(`HTTP ${res.statusCode}`); done(); });
    ws.on('error', reject);
    setTimeout(done, 1500);
  });

  const http = (method: string, path: string, key: string) => {
    const form = multipart(null, { filename: a.input });
    return t.app.inject({
      method: method as 'GET', url: path, headers: { 'x-api-key': key, ...(method === 'POST' ? form.headers : {}) },
      ...(method === 'POST' ? { payload: form.payload } : {}),
    });
  };

  it('answers 404 (or nothing of A) to key B on every route', async () => {
    const routes = registeredRoutes(t.app);
    expect(routes.length).toBeGreaterThan(20);
    const walked: string[] = [];
    for (const { path, methods } of routes) {
      const namesA = /:(id|stem)\b/.test(path);
      for (const method of methods.filter((m) => m !== 'HEAD')) {
        const url = fill(path);
        const label = `${method} ${path}`;
        walked.push(label);
        if (path.startsWith('/ws/')) {
          const text = await socketFrames(url, BOB);
          if (namesA) expect(text, label).toContain('"code":"conversion_not_found"');
          for (const m of markers().slice(1)) expect(text, label).not.toContain(m);
          if (!namesA) expect(text, label).not.toContain(a.id);
          continue;
        }
        const res = await http(method, url, BOB);
        if (namesA) expect(res.statusCode, label).toBe(404);
        for (const m of markers()) expect(res.body, `${label} leaks ${m}`).not.toContain(m);
      }
    }
    // Key B cannot convert (and so read) the file key A uploaded, by its name.
    const convert = await http('POST', '/convert', BOB);
    expect(convert.statusCode).toBe(404);
    expect(convert.json().code).toBe('file_not_found');
    expect(walked).toEqual(expect.arrayContaining(['GET /markdown/:stem', 'GET /image/:stem', 'GET /ws/conversion/:id', 'GET /documents']));
  });

  it('still answers key A on the same routes (the walk above probed real things)', async () => {
    for (const { path, methods } of registeredRoutes(t.app)) {
      if (!/:(id|stem)\b/.test(path) || !methods.includes('GET')) continue;
      if (path.startsWith('/ws/')) {
        expect(await socketFrames(fill(path), ALICE), path).toContain(a.id);
        continue;
      }
      expect((await http('GET', fill(path), ALICE)).statusCode, path).toBe(200);
    }
    const docs = (await http('GET', '/documents', ALICE)).json();
    expect(docs.documents.map((d: { filename: string }) => d.filename)).toEqual([a.input]);
    expect(docs.documents[0].conversion_id).toBe(a.id);
    expect((await http('GET', '/documents', BOB)).json().documents).toEqual([]);
  });
});
