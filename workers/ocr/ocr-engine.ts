import Tesseract from 'tesseract.js';
import { TaskFailure } from '../task-errors.js';
import { pageFromTsv } from './tesseract-tsv.js';

const CREATE_TIMEOUT_MS = 60_000;
/** Below this, an orientation guess is not acted on. */
export const MIN_OSD_CONFIDENCE = 1.5;

/**
 * Warm tesseract.js engines, one set per pool thread: created on first use (~300 ms), reused for
 * every page, recycled after N pages so a slow leak in the WASM heap cannot grow without bound.
 * Language data comes from one local folder of installed @tesseract.js-data files; no network.
 */
interface Engine { key: string; worker: Promise<Tesseract.Worker>; pages: number; dpi: number; psm: Tesseract.PSM | ''; quiet: boolean; findTables: boolean }
let ocr: Engine | null = null;
let osd: Engine | null = null;

/**
 * With an errorHandler set, a failing createWorker never settles; this wrapper rejects on the
 * first reported error or after a timeout instead of hanging the thread.
 */
function createEngine(langs: string, oem: Tesseract.OEM, langPath: string, gzip: boolean, legacy: boolean): Promise<Tesseract.Worker> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new TaskFailure('ocr_failed', `Could not start the OCR engine: ${String((err as Error)?.message ?? err)}`));
    };
    const timer = setTimeout(() => fail(new Error('timed out')), CREATE_TIMEOUT_MS);
    Tesseract.createWorker(langs.split('+'), oem, {
      langPath, gzip, cacheMethod: 'none', legacyCore: legacy, legacyLang: legacy,
      errorHandler: (e: unknown) => fail(e),
    }).then(
      (w) => {
        if (settled) return void w.terminate().catch(() => undefined);
        settled = true;
        clearTimeout(timer);
        resolve(w);
      },
      fail,
    );
  });
}

async function acquire(current: Engine | null, key: string, recycleAfter: number, create: () => Promise<Tesseract.Worker>): Promise<Engine> {
  if (current && (current.key !== key || current.pages >= recycleAfter)) {
    void current.worker.then((w) => w.terminate()).catch(() => undefined);
    current = null;
  }
  if (!current) {
    const engine: Engine = { key, worker: create(), pages: 0, dpi: 0, psm: '', quiet: false, findTables: true };
    engine.worker.catch(() => undefined);
    current = engine;
  }
  current.pages++;
  return current;
}

/**
 * Tesseract scales some of its thresholds by resolution; the page image carries none, so it is set per
 * page. The segmentation mode is set per call too (automatic, or sparse text as a fallback).
 */
async function configured(engine: Engine, dpi: number, psm?: Tesseract.PSM, findTables = true): Promise<Tesseract.Worker> {
  const worker = await engine.worker;
  const rounded = Math.max(70, Math.round(dpi));
  if (engine.dpi !== rounded) {
    await worker.setParameters({ user_defined_dpi: String(rounded) });
    engine.dpi = rounded;
  }
  if (!engine.quiet) {
    // tesseract prints debug lines ("Detected 22 diacritics") to stdout, which is the server's log.
    await worker.setParameters({ debug_file: '/dev/null' });
    engine.quiet = true;
  }
  if (psm && engine.psm !== psm) {
    await worker.setParameters({ tessedit_pageseg_mode: psm });
    engine.psm = psm;
  }
  if (engine.findTables !== findTables) {
    await worker.setParameters({ textord_tabfind_find_tables: findTables ? '1' : '0' });
    engine.findTables = findTables;
  }
  return worker;
}

export interface OcrRequest {
  image: Buffer; dpi: number; lang: string; langPath: string; gzip: boolean; recycleAfter: number; layoutOnly: boolean; pdf: boolean;
  /**
   * AUTO by default: tesseract.js would use "single block", which reads multi-column pages line by
   * line across the columns (CER 38 % against 0.9 % on linn.pdf); automatic segmentation is what
   * the tesseract CLI does. SPARSE_TEXT is the fallback for pages where AUTO finds no text at all.
   */
  psm?: Tesseract.PSM;
  /** False: tesseract's own table detection off (see ocr/table-doubt.ts). */
  findTables?: boolean;
}

export async function recognize(req: OcrRequest): Promise<Tesseract.Page> {
  try {
    ocr = await acquire(ocr, `${req.lang}@${req.langPath}`, req.recycleAfter, () => createEngine(req.lang, Tesseract.OEM.LSTM_ONLY, req.langPath, req.gzip, false));
    const worker = await configured(ocr, req.dpi, req.psm ?? Tesseract.PSM.AUTO, req.findTables ?? true);
    // TSV rather than tesseract.js's block tree: the tree is a JSON of every symbol, built in the
    // core and parsed in JS (0.15–0.3 s more per 300-dpi page, measured); TSV is what the native
    // engine reads too (same parse).
    const output = req.layoutOnly ? { text: false, layoutBlocks: true } : { text: false, tsv: true, pdf: req.pdf };
    const { data } = await worker.recognize(req.image, req.pdf ? { pdfTextOnly: true, pdfTitle: 'pagemill' } : {}, output);
    if (req.layoutOnly) return data;
    return Object.assign(pageFromTsv(data.tsv ?? ''), { pdf: data.pdf });
  } catch (err) {
    if (err instanceof TaskFailure) throw err;
    ocr = null; // a failed engine is not reused
    throw new TaskFailure('ocr_failed', `Text recognition failed: ${String((err as Error)?.message ?? err)}`);
  }
}

/** Clockwise degrees the page must be turned to read upright, or null when unsure. Needs osd data. */
export async function detectRotation(image: Buffer, dpi: number, langPath: string, gzip: boolean, recycleAfter: number): Promise<number | null> {
  try {
    osd = await acquire(osd, `osd@${langPath}`, recycleAfter, () => createEngine('osd', Tesseract.OEM.TESSERACT_ONLY, langPath, gzip, true));
    const worker = await configured(osd, dpi);
    const { data } = await worker.detect(image);
    // orientation_degrees is how far the page is turned counter-clockwise from upright.
    if ((data.orientation_confidence ?? 0) < MIN_OSD_CONFIDENCE) return null;
    return data.orientation_degrees ?? 0;
  } catch {
    osd = null;
    return null; // orientation is an improvement, never a reason to fail the page
  }
}

