import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ConfigError } from '../config.js';
import { writeFileAtomic } from '../outputs/conversion-files.js';
import type { Languages, OcrEngine, OcrEngineChoice } from './languages.js';

const run = promisify(execFile);
const MIN_NATIVE_MAJOR = 5;

// The types live beside Languages, which holds the choice: one-way imports, no cycle.
export type { OcrEngine, OcrEngineChoice } from './languages.js';

/** The version of the `tesseract` on PATH when it is >= 5, else null. Asked once, at start. */
export async function nativeTesseractVersion(binary = 'tesseract'): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(binary, ['--version'], { timeout: 10_000 });
    const match = /tesseract\s+v?(\d+)\.(\d+)\.?(\d+)?/i.exec(`${stdout}\n${stderr}`);
    if (!match || Number(match[1]) < MIN_NATIVE_MAJOR) return null;
    return `tesseract ${match[1]}.${match[2]}.${match[3] ?? 0}`;
  } catch {
    return null;
  }
}

/**
 * Picks the engine for OCR_ENGINE. Native reads the very models tesseract.js reads (bundled
 * best_int, unpacked once into `cacheDir`, or TESSDATA_DIR's files as they are), so the choice
 * changes speed, not what a page reads as.
 */
export async function chooseOcrEngine(
  setting: 'auto' | 'native' | 'wasm', languages: Languages, cacheDir: string, version: string | null,
): Promise<OcrEngineChoice> {
  if (setting === 'native' && !version) {
    throw new ConfigError(`OCR_ENGINE=native needs a tesseract >= ${MIN_NATIVE_MAJOR} binary on PATH (apt-get install tesseract-ocr); or use OCR_ENGINE=auto.`);
  }
  const engine: OcrEngine = setting === 'wasm' || !version ? 'wasm' : 'native';
  const nativeDir = engine === 'native' ? await nativeTessdata(languages, cacheDir) : null;
  const engines = Object.fromEntries(languages.installed.map((code) => [code, engine === 'native' ? ['native', 'wasm'] : ['wasm']])) as Record<string, OcrEngine[]>;
  return { engine, nativeVersion: version, nativeDir, engines };
}

/** The bundled models are gzipped for tesseract.js; the binary needs them plain. */
async function nativeTessdata(languages: Languages, cacheDir: string): Promise<string> {
  if (!languages.gzip) return languages.dir;
  const dir = path.join(cacheDir, 'tessdata-native');
  await fs.mkdir(dir, { recursive: true });
  for (const code of [...languages.installed, ...(languages.hasOsd ? ['osd'] : [])]) {
    const target = path.join(dir, `${code}.traineddata`);
    if ((await fs.stat(target).catch(() => null))?.size) continue;
    await writeFileAtomic(target, gunzipSync(await fs.readFile(path.join(languages.dir, `${code}.traineddata.gz`))));
  }
  return dir;
}
