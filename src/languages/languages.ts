import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { AppError } from '../errors.js';

const require = createRequire(import.meta.url);
/** Not a language: orientation and script detection data. */
const NOT_LANGUAGES = new Set(['osd']);

export type OcrEngine = 'native' | 'wasm';

export interface OcrEngineChoice {
  engine: OcrEngine;
  /** `tesseract 5.3.0` when a usable binary was found, else null. */
  nativeVersion: string | null;
  /** Plain `<lang>.traineddata` files for the binary (the same models tesseract.js reads). */
  nativeDir: string | null;
  /** Which engines can read each installed language (layout-only analysis always runs on tesseract.js). */
  engines: Record<string, OcrEngine[]>;
}

export interface Languages {
  /** One folder holding every installed `<code>.traineddata[.gz]`, for tesseract.js's single langPath. */
  dir: string;
  /** Whether the files are gzipped (the bundled ones are; a TESSDATA_DIR's are not). */
  gzip: boolean;
  installed: string[];
  hasOsd: boolean;
  /** Which engine reads pages (chosen at start, see ocr-engine-choice.ts); tesseract.js when absent. */
  ocr?: OcrEngineChoice;
}

/** Languages from an operator's tessdata folder (TESSDATA_DIR): plain `<code>.traineddata` files. */
export async function languagesFromTessdata(dir: string): Promise<Languages> {
  const names = await fs.readdir(dir).catch(() => {
    throw new ConfigError(`TESSDATA_DIR: cannot read ${dir}`);
  });
  const codes = names.filter((n) => n.endsWith('.traineddata')).map((n) => n.slice(0, -'.traineddata'.length)).sort();
  if (!codes.some((c) => !NOT_LANGUAGES.has(c))) throw new ConfigError(`TESSDATA_DIR: no <lang>.traineddata files in ${dir}`);
  return { dir: path.resolve(dir), gzip: false, installed: codes.filter((c) => !NOT_LANGUAGES.has(c)), hasOsd: codes.includes('osd') };
}

/**
 * Finds the installed `@tesseract.js-data/*` packages (the only source of language data: nothing
 * is downloaded) and links their files into one folder, since tesseract.js reads every language of
 * a worker from a single path.
 */
export async function prepareLanguages(cacheDir: string): Promise<Languages> {
  const scope = path.dirname(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')));
  const dir = path.join(cacheDir, 'tessdata');
  await fs.mkdir(dir, { recursive: true });
  const codes: string[] = [];
  for (const code of (await fs.readdir(scope)).sort()) {
    const source = path.join(scope, code, '4.0.0_best_int', `${code}.traineddata.gz`);
    if (!(await fs.stat(source).catch(() => null))) continue;
    const link = path.join(dir, `${code}.traineddata.gz`);
    // Made aside and renamed over the old link: two nodes started from one folder share it, and a
    // running one must never find the link missing, nor a second start fail on an existing one.
    const aside = `${link}.${process.pid}-${randomUUID().slice(0, 8)}`;
    await fs.symlink(source, aside);
    await fs.rename(aside, link);
    codes.push(code);
  }
  return { dir, gzip: true, installed: codes.filter((c) => !NOT_LANGUAGES.has(c)), hasOsd: codes.includes('osd') };
}

/** `eng`, `fra`, `eng+fra`: each part must be installed; the 400 names the installed ones. */
export function parseLanguage(spec: string | undefined, installed: readonly string[]): string {
  const value = (spec ?? '').trim() || 'eng';
  const parts = value.split('+');
  const unknown = parts.filter((p) => !installed.includes(p));
  if (unknown.length || parts.length > 4 || new Set(parts).size !== parts.length) {
    throw new AppError('unsupported_language', `Language "${value.slice(0, 50)}" is not installed; installed: ${installed.join(', ')} (combine with "+", e.g. eng+fra). Add one with npm install @tesseract.js-data/<code>.`);
  }
  return value;
}
