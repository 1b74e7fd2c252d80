import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { fake: fakeBackend() });
});
afterAll(async () => t?.close());

describe('API description', () => {
  it('/docs/json is OpenAPI 3 and lists every route', async () => {
    const spec = (await t.app.inject({ url: '/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    const routes = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of [
      'POST /convert', 'POST /upload', 'GET /conversion-status/{id}', 'GET /worker-pool-status', 'GET /health', 'GET /ready', 'GET /metrics',
      'GET /documents', 'GET /markdown/{stem}', 'GET /markdown-files/{stem}', 'GET /image/{stem}', 'GET /languages', 'GET /stats',
      'GET /conversions', 'GET /conversions/{id}', 'GET /conversions/{id}/pages/{n}', 'GET /conversions/{id}/result', 'POST /conversions/{id}/cancel',
      'POST /cancel-job/{id}', 'DELETE /conversions/{id}', 'GET /ws/conversion/{id}',
    ]) expect(routes, r).toContain(r);
    // built from the zod schemas: the record's fields and the prompt modes are there
    const record = spec.paths['/conversion-status/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(record.properties)).toEqual(expect.arrayContaining(['id', 'status', 'progress', 'error_code', 'batches']));
    const form = spec.paths['/convert'].post.requestBody.content['multipart/form-data'].schema;
    expect(form.properties.prompt_mode.enum).toEqual(['prompt_layout_all_en', 'prompt_layout_only_en', 'prompt_ocr']);
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(['WsProcessing', 'WsCompleted', 'WsError']));
    expect((await t.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('describing routes does not trim replies: the seed fields and ours both arrive', async () => {
    const pool = (await t.app.inject({ url: '/worker-pool-status' })).json();
    expect(Object.keys(pool)).toEqual(expect.arrayContaining(['status', 'queue_size', 'active_tasks', 'num_workers', 'pages_queued', 'busy_workers']));
  });
});

describe('operations', () => {
  it('/metrics is Prometheus text and counts a finished page', async () => {
    const { body } = await submitFile(t.app, 'm.pdf', textPdf([['Count me as one finished page']]));
    await waitForEnd(t.app, body.conversion_id);
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const lines = res.body.split('\n').filter((l) => l && !l.startsWith('#'));
    for (const l of lines) expect(l, l).toMatch(/^[a-zA-Z_:][\w:]*(\{[^}]*\})? [-+\d.eE]+|NaN|[+-]Inf$/);
    // the fake backend's pages are read by OCR
    const done = lines.find((l) => l.startsWith('pagemill_pages_total{source="ocr",outcome="done"}'));
    expect(Number(done?.split(' ')[1])).toBeGreaterThanOrEqual(1);
    expect(res.body).toContain('pagemill_page_duration_seconds_bucket');
    expect(res.body).toMatch(/pagemill_conversions\{status="completed"\} [1-9]/);
    expect(res.body).toContain('pagemill_queue_pages 0');
    expect(res.body).toContain('pagemill_process_resident_memory_bytes');
  });

  it('/ready is 200 when the workers and the store answer', async () => {
    const res = await t.app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: true, checks: { accepting: true, workers: true, store: true, storage: true } });
  });
});
