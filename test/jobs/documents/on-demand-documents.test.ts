import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import type { PageResult } from '../../../src/schemas/page-result.js';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

const lines: string[] = [];
const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
const builds = (id: string, format: string) => lines.filter((l) => l.includes('document made on first download') && l.includes(id) && l.includes(`"format":"${format}"`)).length;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ LOG_LEVEL: 'info' }, { logger: createLogger({ LOG_LEVEL: 'info' }, sink) });
});
afterAll(async () => t?.close());

const result = (id: string, format: string) => t.app.inject({ url: `/conversions/${id}/result?format=${format}` });
async function convert(name: string, fields: Record<string, string> = {}, pages = [['Harbour fees were raised'], ['A second page']]) {
  const { status, body } = await submitFile(t.app, name, textPdf(pages), fields);
  expect(status, JSON.stringify(body)).toBe(200);
  const rec = await waitForEnd(t.app, body.conversion_id);
  expect(rec.status).toBe('completed');
  return { id: body.conversion_id as string, rec, dir: path.join(t.config.OUTPUT_DIR, rec.output_stem) };
}
const documentsIn = async (dir: string) => (await fs.readdir(dir)).filter((n) => !n.includes('_page_')).map((n) => path.extname(n)).sort();

describe('documents made on their first download', () => {
  it('writes named formats at completion, and without `formats` only txt and md', async () => {
    const named = await convert('named.pdf', { formats: 'hocr,alto,txt' });
    expect(await documentsIn(named.dir)).toEqual(['.alto', '.hocr', '.txt']);
    const plain = await convert('plain.pdf');
    expect(plain.rec.formats).toEqual(['txt', 'md', 'json', 'hocr', 'alto', 'html', 'chunks']);
    expect(await documentsIn(plain.dir)).toEqual(['.md', '.txt']);
  });

  it('builds once for downloads at once, keeps the file, and builds again a file that went missing', async () => {
    const { id, dir } = await convert('once.pdf');
    const [a, b] = await Promise.all([result(id, 'alto'), result(id, 'alto')]);
    expect(a.statusCode).toBe(200);
    expect(a.body).toContain('CONTENT="Harbour"');
    expect(b.body).toBe(a.body);
    expect(builds(id, 'alto')).toBe(1);
    expect((await result(id, 'alto')).body).toBe(a.body);
    expect(builds(id, 'alto')).toBe(1);
    expect(await documentsIn(dir)).toContain('.alto');
    expect((await result(id, 'hocr')).body).toContain('>fees</span>');
    const json = (await result(id, 'json')).json();
    expect(json.pages.map((p: PageResult) => p.text)).toEqual(['Harbour fees were raised', 'A second page']);
    await fs.rm(path.join(dir, `${path.basename(dir)}.json`));
    expect((await result(id, 'json')).json()).toEqual(json);
    expect(builds(id, 'json')).toBe(2);
  });

  it('never serves a file left under a deferred format\'s name by another conversion', async () => {
    // An output folder kept while the database was reset: the stem is free again, the files are not.
    const dir = path.join(t.config.OUTPUT_DIR, 'stale');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'stale.hocr'), 'OLD DOCUMENT');
    const { id, rec } = await convert('stale.pdf');
    expect(rec.output_stem).toBe('stale');
    const hocr = await result(id, 'hocr');
    expect(hocr.statusCode).toBe(200);
    expect(hocr.body).not.toContain('OLD DOCUMENT');
    expect(hocr.body).toContain('Harbour');
  });

  it('counts a page damaged past its head as failed in a document made later', async () => {
    const { id } = await convert('damaged.pdf');
    // Page 2's record in the page log, cut right after a nested `}` and padded to its length with
    // spaces: the head still parses, the blocks do not.
    const log = path.join(t.config.DATA_DIR, 'conversions', id, 'pages.log');
    const bytes = await fs.readFile(log);
    const header = /#2 (\d+)\n/.exec(bytes.toString('latin1'))!;
    const [at, length] = [header.index + header[0].length, Number(header[1])];
    const record = bytes.subarray(at, at + length).toString('utf8');
    const cut = Buffer.from(record.slice(0, record.indexOf('}', record.indexOf('"blocks":')) + 1));
    bytes.fill(0x20, at, at + length).set(cut, at);
    await fs.writeFile(log, bytes);
    const json = await result(id, 'json');
    expect(json.statusCode).toBe(200);
    expect(json.json().pages.map((p: { status: string }) => p.status)).toEqual(['done', 'failed']);
    const hocr = await result(id, 'hocr');
    expect(hocr.statusCode).toBe(200);
    expect(hocr.body).toContain('Harbour');
  });

  it('answers a download raced by a delete with the document or a 404, never a 5xx', async () => {
    const { id } = await convert('raced.pdf', {}, Array.from({ length: 30 }, (_, i) => [`Page ${i + 1} of the raced document`]));
    const [download, removal] = await Promise.all([result(id, 'alto'), t.app.inject({ method: 'DELETE', url: `/conversions/${id}` })]);
    expect(removal.statusCode).toBe(204);
    expect([200, 404]).toContain(download.statusCode);
    if (download.statusCode === 404) expect(download.json().code).toBe('conversion_not_found');
    expect((await result(id, 'alto')).statusCode).toBe(404);
  });
});
