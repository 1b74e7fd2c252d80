/**
 * Character error rate on the real scans of ../shared/corpus/OCRmyPDF against their expected text,
 * for pagemill (over HTTP, default settings) and, when installed, native tesseract (pdftoppm -r 300
 * -gray, tesseract -l eng, the "best"/fast model Debian ships). Usage: npx tsx bench/accuracy.ts
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cer } from './cer.js';
import { has, rasterize, tesseractText } from './native-tesseract.js';
import { spawnServer, submit } from './server-under-test.js';

const CORPUS = path.resolve(import.meta.dirname, '../../shared/corpus/OCRmyPDF');

/** file, page, reference text file (cardinal's upstream pages 2–4 are garbage: page 1 is the truth for all). */
export const ACCURACY_CASES: [string, number, string][] = [
  ['linn.pdf', 1, 'linn.txt'],
  ['ccitt.pdf', 1, 'expected/ccitt.p1.tesseract-eng.txt'],
  ['skew.pdf', 1, 'expected/skew.p1.tesseract-eng.txt'],
  ['cardinal.pdf', 1, 'expected/cardinal.p1.tesseract-eng.txt'],
  ['cardinal.pdf', 2, 'expected/cardinal.p1.tesseract-eng.txt'],
  ['cardinal.pdf', 3, 'expected/cardinal.p1.tesseract-eng.txt'],
  ['cardinal.pdf', 4, 'expected/cardinal.p1.tesseract-eng.txt'],
  ['2400dpi.pdf', 1, 'expected/2400dpi.p1.tesseract-eng.txt'],
  ...[1, 3, 4, 5, 6].map((p): [string, number, string] => ['multipage.pdf', p, `expected/multipage.p${p}.tesseract-eng.txt`]),
];

export interface AccuracyRow { file: string; page: number; pagemill_cer: number; native_cer: number | null }

export async function accuracyRun(log = console.log): Promise<{ rows: AccuracyRow[]; pagemill_mean: number; native_mean: number | null; native_skipped?: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-acc-'));
  const server = await spawnServer({ INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'info', RENDER_DPI: process.env.RENDER_DPI ?? '300' });
  const nativeOk = (await has('tesseract')) && (await has('pdftoppm'));
  try {
    const texts = new Map<string, { page_no: number; text: string }[]>();
    for (const file of new Set(ACCURACY_CASES.map((c) => c[0]))) {
      const { id } = await submit(server.url, file, await fs.readFile(path.join(CORPUS, file)), { formats: 'json' });
      for (;;) {
        const rec = (await (await fetch(`${server.url}/conversion-status/${id}`)).json()) as { status: string };
        if (rec.status !== 'pending' && rec.status !== 'processing') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const json = (await (await fetch(`${server.url}/conversions/${id}/result?format=json`)).json()) as { pages: { page_no: number; text: string }[] };
      texts.set(file, json.pages);
    }
    const rows: AccuracyRow[] = [];
    for (const [file, page, ref] of ACCURACY_CASES) {
      const reference = await fs.readFile(path.join(CORPUS, ref), 'utf8');
      const ours = texts.get(file)?.find((p) => p.page_no === page)?.text ?? '';
      let native: number | null = null;
      if (nativeOk) {
        const [img] = await rasterize(path.join(CORPUS, file), path.join(root, `${file}-${page}`), 300, [page]);
        native = cer(await tesseractText(img!, 'eng', undefined, 300), reference);
      }
      rows.push({ file, page, pagemill_cer: cer(ours, reference), native_cer: native });
      log(`${file} p${page}: pagemill ${(100 * cer(ours, reference)).toFixed(1)} %${native === null ? '' : `, native ${(100 * native).toFixed(1)} %`}`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      rows,
      pagemill_mean: mean(rows.map((r) => r.pagemill_cer)),
      native_mean: nativeOk ? mean(rows.map((r) => r.native_cer!)) : null,
      ...(nativeOk ? {} : { native_skipped: 'tesseract or pdftoppm not installed (apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils)' }),
    };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await accuracyRun();
  console.log(`mean CER: pagemill ${(100 * r.pagemill_mean).toFixed(2)} %` + (r.native_mean === null ? ` (native skipped: ${r.native_skipped})` : `, native tesseract ${(100 * r.native_mean).toFixed(2)} %`));
}
