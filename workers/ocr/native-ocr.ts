import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type Tesseract from 'tesseract.js';
import { OCR_CHILDREN_CHANNEL, type OcrChildMessage } from '../../src/schemas/page-result.js';
import { withImageFile } from './ocr-scratch.js';
import { pageFromTsv } from './tesseract-tsv.js';
import { TaskFailure } from '../task-errors.js';
import { MIN_OSD_CONFIDENCE } from './ocr-engine.js';

/** Only the end of tesseract's stderr is kept for the error message. */
const STDERR_KEEP = 2000;

let channel: BroadcastChannel | null = null;
function announce(message: OcrChildMessage): void {
  channel ??= new BroadcastChannel(OCR_CHILDREN_CHANNEL);
  (channel as unknown as { unref?: () => void }).unref?.();
  channel.postMessage(message);
}

export interface NativeOcrRequest {
  /** A PBM or grey TIFF (grey-image.ts `toTesseractImage`): read through leptonica, no PNG encode. */
  image: Buffer;
  dpi: number;
  lang: string;
  tessdataDir: string;
  psm: string;
  /** False: tesseract's own table detection off (see ocr/table-doubt.ts); on by default, as in the CLI. */
  findTables?: boolean;
  /** Also make tesseract's invisible-text PDF page (for the searchable PDF). */
  pdf: boolean;
  taskId?: string;
}

/**
 * One page through the tesseract binary, one process per page (~0.1 s to start and load a
 * best_int model, against seconds of recognition). OMP_THREAD_LIMIT=1: OpenMP threads on top
 * of the pool's own parallelism made native tesseract 6× slower on 2 cores.
 */
export function recognizeNative(req: NativeOcrRequest): Promise<Tesseract.Page> {
  return withImageFile(req.image, async (file, dir) => {
    const base = req.pdf ? path.join(dir, 'page') : '-';
    const args = [
      file, base, '--psm', req.psm, '-l', req.lang, '--dpi', String(Math.max(70, Math.round(req.dpi))), '--tessdata-dir', req.tessdataDir,
      '-c', 'tessedit_create_tsv=1', '-c', 'tessedit_create_txt=0', '-c', 'debug_file=/dev/null',
      ...(req.findTables === false ? ['-c', 'textord_tabfind_find_tables=0'] : []),
      ...(req.pdf ? ['-c', 'tessedit_create_pdf=1', '-c', 'textonly_pdf=1'] : []),
    ];
    const stdout = await runTesseract(args, req.taskId);
    const tsv = req.pdf ? await fs.readFile(`${base}.tsv`, 'utf8') : stdout.toString('utf8');
    const page = pageFromTsv(tsv);
    if (req.pdf) (page as { pdf: Uint8Array | null }).pdf = await fs.readFile(`${base}.pdf`);
    return page;
  });
}

/**
 * tesseract's orientation detection (`--psm 0`, osd.traineddata): its `Rotate:` line, the
 * clockwise turn that makes the page upright (what tesseract.js reports as `orientation_degrees`;
 * its `Orientation in degrees:` line is the opposite turn), or null when unsure or unable to tell.
 */
export async function detectRotationNative(image: Buffer, dpi: number, tessdataDir: string, taskId?: string): Promise<number | null> {
  try {
    const out = await withImageFile(image, async (file) => {
      const args = [file, '-', '--psm', '0', '-l', 'osd', '--dpi', String(Math.max(70, Math.round(dpi))), '--tessdata-dir', tessdataDir];
      return (await runTesseract(args, taskId)).toString('utf8');
    });
    const degrees = Number(/Rotate:\s*(\d+)/.exec(out)?.[1] ?? 0);
    const confidence = Number(/Orientation confidence:\s*([\d.]+)/.exec(out)?.[1] ?? 0);
    return confidence < MIN_OSD_CONFIDENCE ? null : degrees;
  } catch {
    return null; // orientation is an improvement, never a reason to fail the page
  }
}

function runTesseract(args: string[], taskId: string | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('tesseract', args, { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    if (taskId && child.pid) announce({ task_id: taskId, pid: child.pid });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString('utf8')).slice(-STDERR_KEEP); });
    child.on('error', (e) => reject(new TaskFailure('ocr_failed', `The tesseract binary could not be started: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const reason = signal ? `killed by ${signal}` : `exit code ${code}`;
      const detail = err.split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' ');
      reject(new TaskFailure('ocr_failed', `Text recognition failed (tesseract ${reason})${detail ? `: ${detail}` : ''}.`));
    });
  });
}
