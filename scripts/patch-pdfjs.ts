// Two edits to pdf.js's text extraction, applied by `npm install` (the postinstall script). pdf.js
// keeps its text-extraction state in closures that cannot be reached from outside, and these two
// spots cost a born-digital page about a third of its time on Node 24 (tracemonkey ×18, one
// thread: 7.0–7.5 → 4.7–5.2 ms a page; `node --cpu-prof` put 13 % of all samples on one line of
// Util.transform). Neither edit changes a result: the same arithmetic in the same order, the same
// properties on the same objects.
//
// Each edit is an exact text replacement that must match once; an edit already made is left as it
// is, so running this again is harmless. A pdfjs-dist whose text no longer matches is left
// untouched: extraction still works, only slower, and this script says so (and
// test/workers/pdfjs-patches.test.ts fails, so an upgrade cannot lose the edits silently).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface PdfjsPatch {
  name: string;
  before: string;
  after: string;
  /**
   * A function the edit calls, added at the end of the module (before its source-map comment):
   * declarations are hoisted, and every line above keeps its number, so the source map still fits.
   */
  helper?: string;
}

export const PDFJS_PATCHES: PdfjsPatch[] = [
  {
    name: 'text matrix without the shared matrix helper or the arrays in between',
    // getCurrentTextTransform runs two or three times per glyph. It went through Util.transform,
    // which is called from all over pdf.js with plain arrays, Float32Arrays and more, so its element
    // loads are megamorphic; and it made three arrays (the text-space matrix and two products) to
    // return one. The helper below does the same multiplications in the same order with the
    // intermediate values in locals, so every result is the same double.
    before: [
      '      const tsm = [textState.fontSize * textState.textHScale, 0, 0, textState.fontSize, 0, textState.textRise];',
      '      if (font.isType3Font && (textState.fontSize <= 1 || font.isCharBBox) && !isArrayEqual(textState.fontMatrix, FONT_IDENTITY_MATRIX)) {',
      '        const glyphHeight = font.bbox[3] - font.bbox[1];',
      '        if (glyphHeight > 0) {',
      '          tsm[3] *= glyphHeight * textState.fontMatrix[3];',
      '        }',
      '      }',
      '      return Util.transform(textState.ctm, Util.transform(textState.textMatrix, tsm));',
    ].join('\n'),
    after: [
      '      let tsm3 = textState.fontSize;',
      '      if (font.isType3Font && (textState.fontSize <= 1 || font.isCharBBox) && !isArrayEqual(textState.fontMatrix, FONT_IDENTITY_MATRIX)) {',
      '        const glyphHeight = font.bbox[3] - font.bbox[1];',
      '        if (glyphHeight > 0) {',
      '          tsm3 *= glyphHeight * textState.fontMatrix[3];',
      '        }',
      '      }',
      '      return pagemillTextMatrix(textState.ctm, textState.textMatrix, textState.fontSize * textState.textHScale, tsm3, textState.textRise);',
    ].join('\n'),
    helper: [
      '// pagemill: Util.transform(c, Util.transform(t, [s0, 0, 0, s3, 0, rise])), term for term.',
      'function pagemillTextMatrix(c, t, s0, s3, rise) {',
      '  const a = t[0] * s0 + t[2] * 0, b = t[1] * s0 + t[3] * 0, m = t[0] * 0 + t[2] * s3, d = t[1] * 0 + t[3] * s3;',
      '  const e = t[0] * 0 + t[2] * rise + t[4], f = t[1] * 0 + t[3] * rise + t[5];',
      '  return [c[0] * a + c[2] * b, c[1] * a + c[3] * b, c[0] * m + c[2] * d, c[1] * m + c[3] * d, c[0] * e + c[2] * f + c[4], c[1] * e + c[3] * f + c[5]];',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'text state clones without prototype chains',
    // Object.create(this) made every saved text state (each `q` operator) the prototype of the
    // next: a new hidden class per clone, so every read of the text state went megamorphic. Every
    // property of a TextState is a class field, copied by Object.assign either way.
    before: 'const clone = Object.assign(Object.create(this), this);\n    clone.textMatrix = this.textMatrix.slice();',
    after: 'const clone = Object.assign(new TextState(), this);\n    clone.textMatrix = this.textMatrix.slice();',
  },
];

/**
 * Edits an earlier version of this script made and the current one replaces: undone before the
 * edits above are made, so an install upgraded without reinstalling pdfjs-dist gets them too.
 */
export const FORMER_PDFJS_PATCHES: PdfjsPatch[] = [
  {
    name: 'text transform off the shared matrix helper (9eb890f)',
    before: 'return Util.transform(textState.ctm, Util.transform(textState.textMatrix, tsm));',
    after: 'return pagemillTextTransform(textState.ctm, pagemillTextTransform(textState.textMatrix, tsm));',
    helper: [
      'function pagemillTextTransform(m1, m2) {',
      '  return [m1[0] * m2[0] + m1[2] * m2[1], m1[1] * m2[0] + m1[3] * m2[1], m1[0] * m2[2] + m1[2] * m2[3], m1[1] * m2[2] + m1[3] * m2[3], m1[0] * m2[4] + m1[2] * m2[5] + m1[4], m1[1] * m2[4] + m1[3] * m2[5] + m1[5]];',
      '}',
      '',
    ].join('\n'),
  },
];

const count = (text: string, part: string) => text.split(part).length - 1;

const SOURCE_MAP_COMMENT = '\n//# sourceMappingURL=';

/** `text` with `helper` added at the end of the module, before its source-map comment. */
function withHelper(text: string, helper: string): string {
  const at = text.lastIndexOf(SOURCE_MAP_COMMENT);
  if (at < 0) return text.endsWith('\n') ? text + helper : `${text}\n${helper}`;
  return text.slice(0, at + 1) + helper + text.slice(at + 1);
}

/** Undoes an edit when it is there, whole and once; otherwise leaves the text as it is. */
export function undoPdfjsPatch(text: string, p: PdfjsPatch): string {
  if (count(text, p.after) !== 1 || (p.helper && count(text, p.helper) !== 1)) return text;
  const undone = text.replace(p.after, () => p.before);
  return p.helper ? undone.replace(p.helper, '') : undone;
}

/** The source with every edit that applies made; `applied` and `missing` name the edits. */
export function applyPdfjsPatches(source: string): { source: string; applied: string[]; missing: string[] } {
  let text = FORMER_PDFJS_PATCHES.reduce(undoPdfjsPatch, source);
  const applied: string[] = [];
  const missing: string[] = [];
  for (const p of PDFJS_PATCHES) {
    if (count(text, p.after) === 1 && (!p.helper || count(text, p.helper) === 1)) {
      applied.push(p.name);
      continue;
    }
    if (count(text, p.before) !== 1 || (p.helper && count(text, p.helper) !== 0)) {
      missing.push(p.name);
      continue;
    }
    text = text.replace(p.before, () => p.after);
    if (p.helper) text = withHelper(text, p.helper);
    applied.push(p.name);
  }
  return { source: text, applied, missing };
}

/** The worker build pagemill runs (the legacy build is the one made for Node). */
export function pdfjsWorkerFile(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'legacy/build/pdf.worker.mjs');
}

function main(): void {
  const file = pdfjsWorkerFile();
  const before = fs.readFileSync(file, 'utf8');
  const { source, applied, missing } = applyPdfjsPatches(before);
  if (source !== before) {
    // Written beside and renamed over, so an interrupted install never leaves half a file.
    fs.writeFileSync(`${file}.pagemill-tmp`, source);
    fs.renameSync(`${file}.pagemill-tmp`, file);
  }
  if (missing.length) {
    console.warn(`pagemill: pdf.js text-extraction edits not applied (${missing.join('; ')}): this pdfjs-dist differs from the one they were written for. Text extraction works, only slower; see scripts/patch-pdfjs.ts.`);
  } else {
    console.log(`pagemill: pdf.js text-extraction edits in place (${applied.length}).`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    main();
  } catch (err) {
    // Never fail an install over a speed edit.
    console.warn(`pagemill: pdf.js text-extraction edits skipped: ${(err as Error).message}`);
  }
}
