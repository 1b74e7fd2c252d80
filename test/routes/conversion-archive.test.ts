import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { busyBackend, fakeBackend } from '../fakes/fake-backend.js';
import { DRAWN_PREVIEW, textLayerBackend } from '../fakes/text-layer-backend.js';
import { errorReplySchema, expectSchema } from '../helpers/expect-schema.js';
import { multipart, startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PDF = textPdf([['First page'], ['Second page']]);

/** Every entry of a zip, read back with a zip reader (CRCs checked by it). */
function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => { out.set(entry.fileName, Buffer.concat(chunks)); zip.readEntry(); });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

interface Manifest {
  conversion_id: string;
  source: { filename: string };
  created: string;
  formats: string[];
  pages: { total: number; completed: number; failed: unknown[] };
  previews?: { included: number; pages_without_preview: number[] };
  files: { path: string; format?: string; preview_of_page?: number; original?: boolean; size: number; sha256: string }[];
}

/** Over a real socket: the archive is a stream, and what matters is what arrives. */
async function download(base: string, url: string, key?: string) {
  const res = await fetch(`${base}${url}`, { headers: key ? { 'x-api-key': key } : {} });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe('GET /conversions/:id/archive', () => {
  let t: TestServer;
  let base = '';
  beforeAll(async () => {
    t = await startTestServer({}, { fake: fakeBackend() });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  it('zips every format asked for with a manifest whose sizes and SHA-256 match the files', async () => {
    const { body: accepted } = await submitFile(t.app, 'annual report.pdf', PDF, { formats: 'txt,md,json,pdf' });
    const record = await waitForEnd(t.app, accepted.conversion_id);
    expect(record.status).toBe('completed');
    const { res, body } = await download(base, `/conversions/${accepted.conversion_id}/archive`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toContain(`${record.output_stem}.zip`);
    const entries = await unzip(body);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest;
    expect(manifest.conversion_id).toBe(accepted.conversion_id);
    expect(manifest.source.filename).toBe('annual report.pdf');
    expect(manifest.created).toBe(record.created_at);
    expect(manifest.formats).toEqual(['txt', 'md', 'json', 'pdf']);
    expect(manifest.pages).toMatchObject({ total: 2, completed: 2, failed: [] });
    expect(manifest.previews).toBeUndefined();
    expect(manifest.files.map((f) => f.format)).toEqual(['txt', 'md', 'json', 'pdf']);
    for (const file of manifest.files) {
      const data = entries.get(file.path)!;
      expect(data, file.path).toBeDefined();
      expect(data.length, file.path).toBe(file.size);
      expect(sha256(data), file.path).toBe(file.sha256);
      // the same bytes as the format's own download
      const single = await download(base, `/conversions/${accepted.conversion_id}/result?format=${file.format}`);
      expect(sha256(single.body), file.path).toBe(file.sha256);
    }
    expect(entries.get(manifest.files[0]!.path)!.toString('utf8')).toContain('Page 1 text');
    // SHA256SUMS, in the form sha256sum -c reads
    const sums = entries.get('SHA256SUMS')!.toString('utf8').trim().split('\n');
    expect(sums).toEqual(manifest.files.map((f) => `${f.sha256}  ${f.path}`));
    expect([...entries.keys()].sort()).toEqual([...manifest.files.map((f) => f.path), 'manifest.json', 'SHA256SUMS'].sort());
  });

  it('includes the formats made on first download (the defaults) and, when asked, the page previews that exist', async () => {
    const { body: accepted } = await submitFile(t.app, 'scan.pdf', PDF);
    const record = await waitForEnd(t.app, accepted.conversion_id);
    // Page 1 has the preview a worker writes for a scanned page; page 2 has none (the fake backend cannot draw one).
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    await fs.writeFile(path.join(t.config.OUTPUT_DIR, record.output_stem, `${record.output_stem}_page_0.jpg`), jpeg);
    const { res, body } = await download(base, `/conversions/${accepted.conversion_id}/archive?previews=true`);
    expect(res.status).toBe(200);
    const entries = await unzip(body);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest;
    expect(manifest.files.filter((f) => f.format).map((f) => f.format)).toEqual(record.formats);
    expect(record.formats).toEqual(expect.arrayContaining(['hocr', 'alto']));
    expect(entries.get(`${record.output_stem}.hocr`)?.toString('utf8')).toContain('ocr_page');
    expect(manifest.previews).toEqual({ included: 1, pages_without_preview: [2] });
    const preview = manifest.files.find((f) => f.preview_of_page === 1)!;
    expect(preview.path).toBe('previews/page-0001.jpg');
    expect(entries.get(preview.path)).toEqual(jpeg);
    expect(preview.sha256).toBe(sha256(jpeg));
  });

  it('adds the original document with original=true, checksummed like the rest', async () => {
    const { body: accepted } = await submitFile(t.app, 'Scan (1).PDF', PDF, { formats: 'txt' });
    const record = await waitForEnd(t.app, accepted.conversion_id);
    const { res, body } = await download(base, `/conversions/${accepted.conversion_id}/archive?original=true`);
    expect(res.status).toBe(200);
    const entries = await unzip(body);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest;
    const original = manifest.files.find((f) => f.original)!;
    expect(original.path).toBe(`original/${record.output_stem}.pdf`);
    expect(entries.get(original.path)).toEqual(PDF);
    expect(original.sha256).toBe(sha256(PDF));
    expect(manifest.source.filename).toBe('Scan (1).PDF');
  });

  it('answers 404 for an unknown id and 400 for a bad previews value', async () => {
    const missing = await t.app.inject({ url: '/conversions/no-such-id/archive' });
    expect([missing.statusCode, expectSchema(errorReplySchema, missing.json()).code]).toEqual([404, 'conversion_not_found']);
    const { body: accepted } = await submitFile(t.app, 'a.pdf', PDF, { formats: 'txt' });
    await waitForEnd(t.app, accepted.conversion_id);
    const bad = await t.app.inject({ url: `/conversions/${accepted.conversion_id}/archive?previews=maybe` });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'validation_error']);
  });
});

describe('GET /conversions/:id/archive?previews=true for pages read from a text layer', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, { fake: textLayerBackend('Born digital text') });
  });
  afterAll(async () => t?.close());

  it('draws every missing preview (a few at a time) and adds them in page order, checksummed', async () => {
    const pages = Array.from({ length: 5 }, (_, i) => [`Page ${i + 1} of a born-digital report`]);
    const { body: accepted } = await submitFile(t.app, 'born-digital.pdf', textPdf(pages), { formats: 'txt' });
    await waitForEnd(t.app, accepted.conversion_id);
    const res = await t.app.inject({ url: `/conversions/${accepted.conversion_id}/archive?previews=1` });
    expect(res.statusCode).toBe(200);
    const entries = await unzip(res.rawPayload);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest;
    expect(manifest.previews).toEqual({ included: 5, pages_without_preview: [] });
    const previews = manifest.files.filter((f) => f.preview_of_page);
    expect(previews.map((f) => [f.preview_of_page, f.path])).toEqual([1, 2, 3, 4, 5].map((n) => [n, `previews/page-000${n}.jpg`]));
    for (const f of previews) {
      expect(entries.get(f.path)).toEqual(Buffer.from(DRAWN_PREVIEW));
      expect(f.sha256).toBe(sha256(Buffer.from(DRAWN_PREVIEW)));
    }
  });
});

describe('GET /conversions/:id/archive before the end, and for another key', () => {
  const ALICE = 'alice-key-0123456789abcdef';
  const BOB = 'bob-key-0123456789abcdef00';
  let busy: TestServer;
  let keyed: TestServer;
  beforeAll(async () => {
    busy = await startTestServer({}, { fake: busyBackend() });
    keyed = await startTestServer({ API_KEYS: `alice:${ALICE},bob:${BOB}` }, { fake: fakeBackend() });
  });
  afterAll(async () => Promise.all([busy?.close(), keyed?.close()]));

  it('answers 409 result_not_ready while it runs, and 409 conversion_cancelled once cancelled', async () => {
    const { body: accepted } = await submitFile(busy.app, 'slow.pdf', PDF);
    const running = await busy.app.inject({ url: `/conversions/${accepted.conversion_id}/archive` });
    expect([running.statusCode, running.json().code]).toEqual([409, 'result_not_ready']);
    await busy.app.inject({ method: 'POST', url: `/conversions/${accepted.conversion_id}/cancel` });
    await waitForEnd(busy.app, accepted.conversion_id);
    const cancelled = await busy.app.inject({ url: `/conversions/${accepted.conversion_id}/archive` });
    expect([cancelled.statusCode, cancelled.json().code]).toEqual([409, 'conversion_cancelled']);
  });

  it('serves a key its own conversion only: another key gets 404, no key 401', async () => {
    const form = multipart({ name: 'mine.pdf', data: PDF });
    const res = await keyed.app.inject({ method: 'POST', url: '/convert', payload: form.payload, headers: { ...form.headers, 'x-api-key': ALICE } });
    const id = res.json().conversion_id as string;
    await waitForEnd(keyed.app, id, undefined, { 'x-api-key': ALICE });
    const own = await keyed.app.inject({ url: `/conversions/${id}/archive`, headers: { 'x-api-key': ALICE } });
    expect(own.statusCode).toBe(200);
    expect((await unzip(own.rawPayload)).has('manifest.json')).toBe(true);
    const other = await keyed.app.inject({ url: `/conversions/${id}/archive`, headers: { 'x-api-key': BOB } });
    expect([other.statusCode, other.json().code]).toEqual([404, 'conversion_not_found']);
    const none = await keyed.app.inject({ url: `/conversions/${id}/archive` });
    expect([none.statusCode, none.json().code]).toEqual([401, 'unauthorized']);
  });
});
