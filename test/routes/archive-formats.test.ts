import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageFileTexts } from '../../workers/layout/page-files.js';
import type { Envelope, PageOutput } from '../../src/schemas/page-result.js';
import { HTML_CSP } from '../../src/outputs/html.js';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { layoutPage, SPANNED_TABLE } from '../fixtures/layout-page.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

/** Page n as the fake backend reads it: a title, a section, a paragraph and a captioned table. */
function structuredPage(pageNo: number): Envelope<PageOutput> {
  const page = layoutPage(pageNo, [
    ...(pageNo === 1 ? [{ lines: ['Annual <report>'], top: 100, size: 48 }] : []),
    { lines: [`Section ${pageNo}`], top: 200, size: 22 },
    { lines: [`Text of page ${pageNo} & more, in one sentence.`, 'And a second line of it.'], top: 300 },
    { lines: ['Table 1: Scores'], top: 500, category: 'Caption' as const },
    { lines: ['Name Scores', 'Ann 1 2', '3 4'], top: 600, category: 'Table' as const, table: SPANNED_TABLE },
  ]);
  const value = { page: { page_no: pageNo, source: page.source, confidence: 100, duration_ms: 1 }, files: pageFileTexts(page, 'prompt_layout_all_en') };
  return { ok: true, value };
}

describe('format=html and format=chunks over HTTP', () => {
  let t: TestServer;
  let base = '';
  beforeAll(async () => {
    t = await startTestServer({}, { fake: fakeBackend(({ pageNo }) => structuredPage(pageNo)) });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  async function convert(fields: Record<string, string>) {
    const { status, body } = await submitFile(t.app, 'report.pdf', textPdf([['one'], ['two']]), fields);
    expect(status).toBe(200);
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    return body.conversion_id;
  }

  it('serves the HTML with its policy as a header, every page in its section', async () => {
    const id = await convert({ formats: 'html' });
    const res = await fetch(`${base}/conversions/${id}/result?format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(HTML_CSP);
    expect(res.headers.get('content-disposition')).toContain('report.html');
    const html = await res.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toMatch(/<h1 data-page="1" data-bbox="[\d,]+">Annual &lt;report&gt;<\/h1>/);
    expect(html.match(/<section class="page"/g)).toHaveLength(2);
    expect(html.match(/<th colspan="2"/g)).toHaveLength(2);
    expect(html).not.toMatch(/<script/i);
  });

  it('serves chunks as JSON Lines under their headings, sized by chunk_tokens, made on first download when not asked for', async () => {
    const id = await convert({ chunk_tokens: '64' });
    const res = await fetch(`${base}/conversions/${id}/result?format=chunks`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/filename="report[^"]*\.chunks\.jsonl"/);
    const chunks = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(chunks.map((c) => c.heading_path)).toEqual([['Annual <report>', 'Section 1'], ['Annual <report>', 'Section 1'], ['Annual <report>', 'Section 2'], ['Annual <report>', 'Section 2']]);
    expect(chunks[0]).toMatchObject({ chunk: 0, conversion_id: id, pages: [1], text: 'Text of page 1 & more, in one sentence. And a second line of it.' });
    expect(chunks[1].text.startsWith('Table 1: Scores\n\n| Name | Scores <a&b> | Scores <a&b> |')).toBe(true);
    for (const c of chunks) {
      expect(c.tokens_with_headings).toBeLessThanOrEqual(64);
      expect(c.boxes.length).toBeGreaterThan(0);
    }
  });

  it('refuses a chunk_tokens out of range', async () => {
    const { status, body } = await submitFile(t.app, 'report.pdf', textPdf([['one']]), { chunk_tokens: '10' });
    expect(status).toBe(400);
    expect(body.code).toBe('validation_error');
  });
});
