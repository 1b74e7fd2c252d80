import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

/**
 * Converting a file of INPUT_DIR, replacing it under the same name and converting it again must
 * read the new document (not a parsed copy of the old one cached by a worker thread), and the
 * seed's document routes must then serve the newer conversion.
 */
let t: TestServer;
beforeAll(async () => {
  // One thread: both conversions meet the same per-thread cache of parsed PDFs.
  t = await startTestServer({ NUM_WORKERS: 1 });
  await fs.mkdir(t.config.INPUT_DIR, { recursive: true });
});
afterAll(async () => {
  await t?.close();
});

async function convertNamed(name: string): Promise<{ id: string; text: string }> {
  const res = await t.app.inject({
    method: 'POST', url: '/convert', payload: `filename=${name}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.statusCode).toBe(200);
  const id = res.json().conversion_id as string;
  const rec = await waitForEnd(t.app, id);
  expect(rec.status).toBe('completed');
  const txt = await t.app.inject({ url: `/conversions/${id}/result?format=txt` });
  return { id, text: txt.body };
}

describe('re-converting a replaced input file', () => {
  it('reads the new document when the replacement has a different size', async () => {
    const file = path.join(t.config.INPUT_DIR, 'swap.pdf');
    await fs.writeFile(file, textPdf([['Original lighthouse keeper notes']]));
    expect((await convertNamed('swap.pdf')).text).toContain('Original lighthouse');
    await fs.writeFile(file, textPdf([['Replacement document about harbour cranes and tides']]));
    const second = await convertNamed('swap.pdf');
    expect(second.text).toContain('Replacement document');
    expect(second.text).not.toContain('Original');
  });

  it('reads the new document when the replacement has the same size and inode, only a new mtime', async () => {
    const file = path.join(t.config.INPUT_DIR, 'same-size.pdf');
    const a = textPdf([['Alpha report on northern bridges']]);
    const b = textPdf([['Omega report on southern tunnels']]);
    expect(b.length).toBe(a.length);
    await fs.writeFile(file, a);
    await fs.utimes(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const ino = (await fs.stat(file)).ino;
    expect((await convertNamed('same-size.pdf')).text).toContain('Alpha report');
    await fs.writeFile(file, b); // truncates and rewrites: same inode, same size
    await fs.utimes(file, new Date('2026-01-01T00:00:05Z'), new Date('2026-01-01T00:00:05Z'));
    expect((await fs.stat(file)).ino).toBe(ino);
    const second = await convertNamed('same-size.pdf');
    expect(second.text).toContain('Omega report');
    expect(second.text).not.toContain('Alpha');
  });

  it('serves the latest completed conversion on the seed document routes; the first stays reachable by id', async () => {
    const file = path.join(t.config.INPUT_DIR, 'routes.pdf');
    await fs.writeFile(file, textPdf([['First edition of the ferry timetable']]));
    const first = await convertNamed('routes.pdf');
    await fs.writeFile(file, textPdf([['Second edition with winter sailings added']]));
    const second = await convertNamed('routes.pdf');
    expect(second.id).not.toBe(first.id);

    const docs = (await t.app.inject({ url: '/documents' })).json();
    const doc = docs.documents.find((d: { filename: string }) => d.filename === 'routes.pdf');
    expect(doc).toMatchObject({ stem: 'routes', conversion_id: second.id, markdown_exists: true });

    const md = await t.app.inject({ url: '/markdown/routes' });
    expect(md.statusCode).toBe(200);
    expect(md.json().content).toContain('Second edition');
    expect(md.json().content).not.toContain('First edition');
    const page = (await t.app.inject({ url: '/markdown/routes?page_no=0' })).json();
    expect(page.content).toContain('Second edition');

    const files = (await t.app.inject({ url: '/markdown-files/routes' })).json();
    expect(files.files).toHaveLength(1);
    // Paths are relative to the data folders' parent (`output/<stem>/…`), never absolute.
    expect(await fs.readFile(path.join(path.dirname(t.config.OUTPUT_DIR), files.files[0].path), 'utf8')).toContain('Second edition');

    const secondRec = (await t.app.inject({ url: `/conversions/${second.id}` })).json();
    const image = await t.app.inject({ url: '/image/routes?page_no=0' });
    expect(image.statusCode).toBe(200);
    const latestPreview = await fs.readFile(path.join(t.config.OUTPUT_DIR, secondRec.output_stem, `${secondRec.output_stem}_page_0.jpg`));
    expect(image.rawPayload.equals(latestPreview)).toBe(true);

    // The first conversion is still there, by id and by its own output stem.
    expect((await t.app.inject({ url: `/conversions/${first.id}/result?format=txt` })).body).toContain('First edition');
    const firstRec = (await t.app.inject({ url: `/conversions/${first.id}` })).json();
    expect((await t.app.inject({ url: `/markdown/${secondRec.output_stem}` })).json().content).toContain('Second edition');
    expect(firstRec.output_stem).toBe('routes');
  });
});
