// Two edits to pdf.js's text extraction, applied by `npm install` (the postinstall script). pdf.js
// keeps its text-extraction state in closures that cannot be reached from outside, and these two
// spots cost a born-digital page about a quarter of its time on Node 24 (tracemonkey ×18, one
// thread: 7.2 → 5.0 ms a page; `node --cpu-prof` put 13 % of all samples on one line of
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
  /** A function the edit calls, put in front of `helperBefore`. */
  helper?: string;
  helperBefore?: string;
}

export const PDFJS_PATCHES: PdfjsPatch[] = [
  {
    name: 'text transform off the shared matrix helper',
    // Util.transform is called from all over pdf.js with plain arrays, Float32Arrays and more, so
    // its element loads are megamorphic; text extraction calls it twice per glyph. A helper of its
    // own sees two kinds of array and stays fast.
    before: 'return Util.transform(textState.ctm, Util.transform(textState.textMatrix, tsm));',
    after: 'return pagemillTextTransform(textState.ctm, pagemillTextTransform(textState.textMatrix, tsm));',
    helperBefore: 'function isArrayEqual(arr1, arr2) {',
    helper: [
      'function pagemillTextTransform(m1, m2) {',
      '  return [m1[0] * m2[0] + m1[2] * m2[1], m1[1] * m2[0] + m1[3] * m2[1], m1[0] * m2[2] + m1[2] * m2[3], m1[1] * m2[2] + m1[3] * m2[3], m1[0] * m2[4] + m1[2] * m2[5] + m1[4], m1[1] * m2[4] + m1[3] * m2[5] + m1[5]];',
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

const count = (text: string, part: string) => text.split(part).length - 1;

/** The source with every edit that applies made; `applied` and `missing` name the edits. */
export function applyPdfjsPatches(source: string): { source: string; applied: string[]; missing: string[] } {
  let text = source;
  const applied: string[] = [];
  const missing: string[] = [];
  for (const p of PDFJS_PATCHES) {
    if (count(text, p.after) === 1 && (!p.helper || count(text, p.helper) === 1)) {
      applied.push(p.name);
      continue;
    }
    const fits = count(text, p.before) === 1 && (!p.helper || count(text, p.helperBefore!) === 1);
    if (!fits) {
      missing.push(p.name);
      continue;
    }
    text = text.replace(p.before, () => p.after);
    if (p.helper) text = text.replace(p.helperBefore!, () => p.helper! + p.helperBefore!);
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
    console.warn(`pagemill: pdf.js text-extraction edits not applied (${missing.join('; ')}): this pdfjs-dist differs from the one they were written for. Text extraction works, about 25 % slower; see scripts/patch-pdfjs.mjs.`);
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
