import { createRequire } from 'node:module';
import path from 'node:path';
import Tesseract from 'tesseract.js';
import { TaskFailure } from './task-errors.js';

const require = createRequire(import.meta.url);
const CREATE_TIMEOUT_MS = 60_000;

/**
 * One warm tesseract.js worker per pool thread: created on first use (~300 ms), reused for every
 * page, and recycled after N pages so a slow leak in the WASM heap cannot grow without bound.
 * Language data comes from installed @tesseract.js-data/* packages; no network is ever used.
 */
let current: { lang: string; worker: Promise<Tesseract.Worker>; pages: number } | null = null;

export function languageDataPath(lang: string): string {
  let pkg: string;
  try {
    pkg = require.resolve(`@tesseract.js-data/${lang}/package.json`);
  } catch {
    throw new TaskFailure('ocr_failed', `No language data installed for "${lang}"; install @tesseract.js-data/${lang}.`);
  }
  return path.join(path.dirname(pkg), '4.0.0_best_int');
}

/**
 * With an errorHandler set, a failing createWorker never settles; this wrapper rejects on the first
 * reported error or after a timeout instead of hanging the thread.
 */
function createOcrWorker(lang: string): Promise<Tesseract.Worker> {
  // One language per worker for now: tesseract.js takes a single langPath, and each
  // @tesseract.js-data package has its own folder.
  const langPath = languageDataPath(lang);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new TaskFailure('ocr_failed', `Could not start the OCR engine: ${String((err as Error)?.message ?? err)}`));
    };
    const timer = setTimeout(() => fail(new Error('timed out')), CREATE_TIMEOUT_MS);
    Tesseract.createWorker(lang, Tesseract.OEM.LSTM_ONLY, {
      langPath,
      gzip: true,
      cacheMethod: 'none',
      errorHandler: (e: unknown) => fail(e),
    }).then(
      (w) => {
        if (settled) { void w.terminate(); return; }
        settled = true;
        clearTimeout(timer);
        resolve(w);
      },
      fail,
    );
  });
}

async function acquire(lang: string, recycleAfter: number): Promise<Tesseract.Worker> {
  if (current && (current.lang !== lang || current.pages >= recycleAfter)) {
    const old = current.worker;
    current = null;
    await old.then((w) => w.terminate()).catch(() => undefined);
  }
  if (!current) {
    current = { lang, worker: createOcrWorker(lang), pages: 0 };
    current.worker.catch(() => { current = null; });
  }
  current.pages++;
  return current.worker;
}

export async function recognize(image: Buffer, lang: string, recycleAfter: number): Promise<Tesseract.Page> {
  const worker = await acquire(lang, recycleAfter);
  try {
    const { data } = await worker.recognize(image, {}, { text: true, blocks: true });
    return data;
  } catch (err) {
    throw new TaskFailure('ocr_failed', `Text recognition failed: ${String((err as Error)?.message ?? err)}`);
  }
}
