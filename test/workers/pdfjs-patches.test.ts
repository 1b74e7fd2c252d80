import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPdfjsPatches, FORMER_PDFJS_PATCHES, PDFJS_PATCHES, pdfjsWorkerFile, undoPdfjsPatch } from '../../scripts/patch-pdfjs.js';
import { fixturePath } from '../fixtures/files.js';
import { buildPdf } from '../fixtures/pdf-fixtures.js';
import { structuredPdf } from '../fixtures/structured-pdf.js';

const run = promisify(execFile);
const PROJECT = path.resolve(import.meta.dirname, '../..');

/** A stand-in for pdf.js's worker source: each edited text once, as in pdfjs-dist 5.6. */
const SOURCE = `${PDFJS_PATCHES.map((p) => `${p.before}\n`).join('// …\n')}export {};\n\n//# sourceMappingURL=pdf.worker.mjs.map\n`;
const lines = (text: string) => text.split('\n').length;

/**
 * A page whose text goes through what the edits touch: text states saved and restored (q/Q) inside
 * and around text objects, rotated and scaled matrices, horizontal scaling, rise, kerned runs, a
 * Type3 font.
 */
function matricesPdf(): Buffer {
  const ops = [
    'BT /F1 12 Tf 72 720 Td (Upright) Tj ET',
    'q 0 1 -1 0 300 200 cm BT /F1 12 Tf 0 0 Td (Turned a quarter) Tj ET Q',
    'q 2 0 0 2 0 0 cm BT /F1 10 Tf 14 TL 1 0 0 1 40 300 Tm (Scaled) Tj T* (next line) Tj ET Q',
    'BT /F1 11 Tf 72 400 Td 150 Tz (Wide) Tj 3 Ts (raised) Tj 0 Ts 100 Tz [(K) -120 (er) 80 (ned)] TJ ET',
    'q BT /F2 9 Tf 72 300 Td (Other font) Tj ET q 1 0 0 -1 0 792 cm BT /F1 9 Tf 72 100 Td (Flipped) Tj ET Q Q',
    'BT /F1 12 Tf -1 0 0 -1 500 150 Tm (Upside down) Tj ET',
    // A Type3 font at size 1 with its own glyph matrix: the edited function's Type3 branch.
    'BT /F3 1 Tf 24 0 0 24 100 600 Tm (aaa) Tj ET',
  ].join('\n');
  const glyph = '500 0 0 0 500 700 d1 0 0 500 700 re f';
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [5 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 7 0 R >> >> /Contents 6 0 R >>',
    `<< /Length ${ops.length} >>\nstream\n${ops}\nendstream`,
    '<< /Type /Font /Subtype /Type3 /FontBBox [0 0 500 700] /FontMatrix [0.002 0 0 0.002 0 0] /CharProcs << /a 8 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [500] /Resources << >> >>',
    `<< /Length ${glyph.length} >>\nstream\n${glyph}\nendstream`,
  ]);
}

/** The text that `source` had before applyPdfjsPatches edited it. */
const unpatched = (source: string) => PDFJS_PATCHES.reduce(undoPdfjsPatch, source);

describe('the pdf.js text-extraction edits (scripts/patch-pdfjs.ts)', () => {
  it('makes every edit once, and leaves an edited source as it is', () => {
    const first = applyPdfjsPatches(SOURCE);
    expect(first.missing).toEqual([]);
    expect(first.applied).toEqual(PDFJS_PATCHES.map((p) => p.name));
    for (const p of PDFJS_PATCHES) {
      expect(first.source).not.toContain(p.before);
      expect(first.source.split(p.after)).toHaveLength(2);
    }
    const again = applyPdfjsPatches(first.source);
    expect(again.source).toBe(first.source);
    expect(again.missing).toEqual([]);
    expect(unpatched(first.source)).toBe(SOURCE);
    // Helpers go after the code, before the source-map comment: the lines above keep their numbers.
    const code = (text: string) => text.slice(0, text.indexOf('export {};'));
    expect(lines(code(first.source))).toBe(lines(code(SOURCE)));
    expect(first.source.trimEnd().endsWith('//# sourceMappingURL=pdf.worker.mjs.map')).toBe(true);
  });

  it('replaces the edits an earlier version made with the current ones', () => {
    let earlier = SOURCE;
    for (const p of FORMER_PDFJS_PATCHES) earlier = p.helper! + earlier.replace(p.before, () => p.after);
    expect(earlier).not.toBe(SOURCE);
    const { source, missing } = applyPdfjsPatches(earlier);
    expect(missing).toEqual([]);
    expect(source).toBe(applyPdfjsPatches(SOURCE).source);
  });

  it('leaves a source it does not recognise, or where a text is not unique, untouched and says which edits are missing', () => {
    const other = 'export const nothing = 1;\n';
    expect(applyPdfjsPatches(other)).toEqual({ source: other, applied: [], missing: PDFJS_PATCHES.map((p) => p.name) });
    const twice = SOURCE + PDFJS_PATCHES[1]!.before;
    const result = applyPdfjsPatches(twice);
    expect(result.missing).toEqual([PDFJS_PATCHES[1]!.name]);
    expect(result.source).toContain(PDFJS_PATCHES[1]!.before);
  });

  it('are in the installed pdf.js (npm install ran them, and they fit this pdfjs-dist)', async () => {
    const installed = await fs.readFile(pdfjsWorkerFile(), 'utf8');
    const { source, missing } = applyPdfjsPatches(installed);
    expect(missing).toEqual([]);
    expect(source).toBe(installed);
    const original = unpatched(installed);
    expect(original).not.toBe(installed);
    // The code keeps its line count up to the helper, which sits just before the source-map comment.
    const code = original.slice(0, original.lastIndexOf('\n//# sourceMappingURL=') + 1);
    expect(lines(installed.slice(0, installed.indexOf(PDFJS_PATCHES[0]!.helper!)))).toBe(lines(code));
  });

  describe('against unedited pdf.js', () => {
    let dir: string;
    let original: string;
    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-pdfjs-'));
      original = path.join(dir, 'pdf.worker.mjs');
      const installed = await fs.readFile(pdfjsWorkerFile(), 'utf8');
      expect(unpatched(installed)).not.toBe(installed);
      await fs.writeFile(original, unpatched(installed));
      await fs.writeFile(path.join(dir, 'structured.pdf'), await structuredPdf());
      await fs.writeFile(path.join(dir, 'matrices.pdf'), matricesPdf());
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    /** Every text item of every page (string, matrix, size, font) as pdf.js built from `workerFile` reads it. */
    const textItems = async (workerFile: string, pdf: string) => {
      const script = `
        import { pathToFileURL } from 'node:url';
        const [workerFile, pdf] = process.argv.slice(1);
        globalThis.pdfjsWorker = await import(pathToFileURL(workerFile).href);
        const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
        const doc = await getDocument({ url: pdf, isEvalSupported: false, verbosity: 0 }).promise;
        const pages = [];
        for (let n = 1; n <= doc.numPages; n++) {
          const { items } = await (await doc.getPage(n)).getTextContent();
          pages.push(items.map((i) => [i.str, i.transform, i.width, i.height, i.dir, i.fontName, i.hasEOL]));
        }
        process.stdout.write(JSON.stringify(pages, (k, v) => (Object.is(v, -0) ? '-0' : v)));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, workerFile, pdf], { cwd: PROJECT, maxBuffer: 64 << 20 });
      return JSON.parse(stdout) as unknown[][];
    };

    // Made here: headings, lists and a table; turned, scaled and nested text. Then a Type3 font.
    it.each(['structured.pdf', 'matrices.pdf', 'type3_font_nomapping.pdf'])('reads %s to the same text items, positions and sizes', async (name) => {
      const pdf = name.startsWith('type3') ? fixturePath(name) : path.join(dir, name);
      const edited = await textItems(pdfjsWorkerFile(), pdf);
      expect(edited.flat().length).toBeGreaterThan(0);
      expect(edited).toEqual(await textItems(original, pdf));
    });
  });
});
