import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinLines, listMarker } from '../../../workers/layout/line-text.js';
import { pageMarkdown } from '../../../workers/layout/markdown.js';
import type { Block, Line } from '../../../src/schemas/page-result.js';
import { fixturePath } from '../../fixtures/files.js';
import { STRUCTURED_EXPECTED, structuredPdf, structuredScanPdf } from '../../fixtures/structured-pdf.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

/** Markdown → headings, paragraphs and list items, as a reader (or a table of contents) sees them. */
function parseMarkdown(md: string) {
  const out = {
    headings: [] as { level: number; text: string }[],
    paragraphs: [] as string[],
    bullets: [] as string[],
    numbered: [] as string[],
  };
  for (const line of md.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    const numbered = /^\d+\. (.*)$/.exec(line);
    if (heading) out.headings.push({ level: heading[1]!.length, text: heading[2]! });
    else if (line.startsWith('- ')) out.bullets.push(line.slice(2));
    else if (numbered) out.numbered.push(numbered[1]!);
    else out.paragraphs.push(line);
  }
  return out;
}

describe('the Markdown of generated pages has their structure', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ RENDER_DPI: 300 });
  });
  afterAll(async () => t?.close());

  async function convert(name: string, pdf: Buffer) {
    const { status, body } = await submitFile(t.app, name, pdf, { formats: 'md,json' });
    expect(status).toBe(200);
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    const json = (await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=json` })).json();
    const md = (await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=md` })).body;
    // the older frontend's view: the per-page file without header/footer
    const page = (await t.app.inject({ url: `/markdown/${rec.output_stem}?page_no=0` })).json().content as string;
    const headingCells = (json.pages[0].blocks as { category: string; text: string }[])
      .filter((b) => b.category === 'Title' || b.category === 'Section-header')
      .map((b) => `${b.category}: ${b.text.replace(/\s+/g, ' ')}`);
    return { source: json.pages[0].source as string, md, page, headingCells };
  }

  for (const [kind, make, source] of [
    ['born-digital', structuredPdf, 'text-layer'],
    ['scanned', () => structuredScanPdf(200), 'ocr'],
  ] as const) {
    it(`${kind}: headings, paragraphs and list items match, and no body line is a heading`, async () => {
      const result = await convert(`${kind}.pdf`, await make());
      expect(result.source).toBe(source);
      for (const md of [result.md, result.page]) {
        const got = parseMarkdown(md);
        expect(got.headings).toEqual(STRUCTURED_EXPECTED.headings);
        expect(got.paragraphs).toEqual(STRUCTURED_EXPECTED.paragraphs);
        expect(got.bullets).toEqual(STRUCTURED_EXPECTED.bullets);
        expect(got.numbered).toEqual(STRUCTURED_EXPECTED.numbered);
      }
      // the layout cells (`_page_<i>.json`) say the same
      const cells = STRUCTURED_EXPECTED.headings.map((h) => `${h.level === 1 ? 'Title' : 'Section-header'}: ${h.text}`);
      expect(result.headingCells).toEqual(cells);
    });
  }

  const linn = fixturePath('linn.pdf');
  it('linn.pdf (a real scan, two columns): only titles are headings, bullets items', async () => {
    const { md } = await convert('linn.pdf', fs.readFileSync(linn));
    const got = parseMarkdown(md);
    expect(got.headings.map((h) => h.text)).toEqual([
      'The LinnSequencer 32 Track MIDI Sequence Recorder', 'Recording a Sequence', 'Editing', 'Creating a Song',
      'Composition Without Compromise', 'Additional Features',
    ]);
    expect(got.headings[0]!.level).toBe(1);
    // 19 items. Read at 200 dpi (its glyphs are 21 px at 300, see workers/raster/readable-size.ts) the
    // native engine misses the dot of one and tesseract.js of two, which then read as paragraphs.
    expect(got.bullets.length).toBeGreaterThanOrEqual(17);
    expect(got.bullets.length).toBeLessThanOrEqual(19);
    expect(got.bullets.filter((b) => /^[®¢*•]/.test(b))).toEqual([]);
    expect(md).toContain('SINGLE STEP function');
    // the second column's first line continues the first column's last sentence
    expect(md).toContain('within a sequence, simply use LOCATE');
  });
});

describe('line rules', () => {
  it('mends words broken at a line end and keeps real hyphens and dashes', () => {
    expect(joinLines(['the recog-', 'nition marks'])).toBe('the recognition marks');
    expect(joinLines(['a Beat-', 'Per-Minute step'])).toBe('a Beat-Per-Minute step');
    expect(joinLines(['a well-', 'known chart'], new Set(['well-known']))).toBe('a well-known chart');
    expect(joinLines(['in the sequence—', 'when played'])).toBe('in the sequence—when played');
    expect(joinLines(['one', 'two  ', '', 'three'])).toBe('one two three');
    // a hyphen after a number is not a broken word; a soft hyphen is; the word is read from the end only
    expect(joinLines(['pages 10-', 'twelve'])).toBe('pages 10- twelve');
    expect(joinLines(['the recog\u00AD', 'nition'])).toBe('the recognition');
    expect(joinLines(['a '.repeat(5000) + 'well-', 'known'], new Set(['well-known']))).toBe(`${'a '.repeat(5000)}well-known`);
  });

  it('reads bullets, OCR\'s misreadings of them and numbers as list markers', () => {
    for (const line of ['• Item', '· Item', '* Item', '- Item', '– Item', '® Item', '¢ Item', '«Item', 'o Item', 'e Item']) {
      expect(listMarker(line), line).not.toBeNull();
      expect(listMarker(line)!.ordinal, line).toBeUndefined();
    }
    expect(listMarker('12. Item')).toMatchObject({ ordinal: '12.' });
    expect(listMarker('2) Item')).toMatchObject({ ordinal: '2.' });
    expect(listMarker('a) Item')).toMatchObject({ length: 0 });
    for (const line of ['Item', 'o ring seals', 'e.g. this', '2024 was', '16 polyphonic', '—existing']) {
      expect(listMarker(line), line).toBeNull();
    }
    expect(listMarker('2) the next', false)).toBeNull();
  });
});

describe('page structure from word boxes', () => {
  const line = (text: string, x: number, y: number, size: number): Line => {
    const words = text.split(' ').map((w, i) => {
      const left = x + i * size * 3;
      return { text: w, bbox: [left, y, left + size * 2.5, y + size] as Line['bbox'], confidence: 95 };
    });
    return { text, bbox: [x, y, x + words.length * size * 3, y + size], confidence: 95, words };
  };
  /** `n` lines of 20-px text, 25 px apart. */
  const rows = (n: number, text: (i: number) => string, x: number, y: number) =>
    Array.from({ length: n }, (_, i) => line(text(i), x, y + i * 25, 20));
  const block = (...lines: Line[]): Block => ({
    category: 'Text', text: lines.map((l) => l.text).join('\n'), confidence: 95, lines,
    bbox: [
      Math.min(...lines.map((l) => l.bbox[0])), lines[0]!.bbox[1],
      Math.max(...lines.map((l) => l.bbox[2])), lines.at(-1)!.bbox[3],
    ],
  });

  it('does not make a short line a heading when it sits in the run of the text like any other line', () => {
    const body = (y: number, n: number) => rows(n, (i) => `Body text line ${i} runs across the whole column`, 100, y);
    const md = pageMarkdown({ source: 'text-layer', blocks: [
      block(...body(100, 3)),
      // split off by the engine, same spacing as the lines around it, no extra room above
      block(line('Harbour office hours', 100, 175, 20)),
      block(...body(200, 3)),
      block(line('of the season', 100, 275, 20)),
    ] }, true);
    expect(md).not.toMatch(/^#/m);
    expect(md).toContain('whole column of the season');
  });

  it('reads a page whose boxes are reported turned 90° like the upright page, and keeps a two-line title one heading', () => {
    const upright: Block[] = [
      block(line('Harbour Survey', 100, 50, 40)),
      block(line('Annual Report', 100, 95, 40)),
      block(...rows(4, (i) => `Body text line ${i} runs across the whole column.`, 100, 160)),
      block(line('• First item of the list', 100, 270, 20), line('• Second item of the list', 100, 295, 20)),
    ];
    // turned clockwise: x' = H - y, y' = x (lines now run top to bottom, stepping right to left)
    const H = 1000;
    const turn = (b: Line['bbox']): Line['bbox'] => [H - b[3], b[0], H - b[1], b[2]];
    const sideways = upright.map((b) => ({
      ...b, bbox: turn(b.bbox),
      lines: b.lines.map((l) => ({ ...l, bbox: turn(l.bbox), words: l.words.map((w) => ({ ...w, bbox: turn(w.bbox) })) })),
    }));
    const md = pageMarkdown({ source: 'ocr', blocks: upright }, true);
    expect(md.split('\n').filter((l) => l.startsWith('#'))).toEqual(['# Harbour Survey Annual Report']);
    expect(md).toContain('- First item of the list\n- Second item of the list');
    expect(pageMarkdown({ source: 'ocr', blocks: sideways }, true)).toBe(md);
  });

  it('moves a section title that the engine put between two columns to the full-width text it heads', () => {
    const col = (x: number, y: number) => block(...rows(4, (i) => `Column text line number ${i} goes on.`, x, y));
    const md = pageMarkdown({ source: 'text-layer', blocks: [
      col(100, 100),
      block(line('Closing Notes', 100, 230, 28)),
      col(700, 100),
      block(...rows(2, (i) => `Wide text under the title spans both columns of the page ${i}.`, 100, 270)),
    ] }, true);
    const order = md.split('\n\n').map((p) => p.slice(0, 14));
    expect(order).toEqual(['Column text li', 'Column text li', '## Closing Not', 'Wide text unde']);
  });

  it('leaves the last line of a column where the engine put it, even right above full-width text', () => {
    const md = pageMarkdown({ source: 'text-layer', blocks: [
      block(...rows(4, (i) => `Left column line ${i} goes on.`, 100, 100)),
      block(line('Left column ends.', 100, 230, 20)),
      block(...rows(4, (i) => `Right column line ${i} goes on.`, 700, 100)),
      block(...rows(2, (i) => `Wide text spans both columns of the page from the left to the right ${i}.`, 100, 270)),
    ] }, true);
    expect(md.indexOf('Left column ends.')).toBeLessThan(md.indexOf('Right column line 0'));
  });
});
