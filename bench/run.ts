/**
 * `npm run bench` — pagemill side by side with native tesseract and OCRmyPDF on the same generated
 * pages, plus born-digital throughput, responsiveness under load and memory on 1,000 pages.
 * Installs nothing: native tools are used when present and skipped with a reason when not.
 * Options: --quick (skip the 1,000-page memory run), --pages N (scanned pages, default 20).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { expectedText, writeDigital, writeScanned } from './documents.js';
import { convertLatency, statusLatency } from './load.js';
import { memoryRun } from './memory-run.js';
import { has, sameModelTessdata } from './native-tesseract.js';
import { runNativeTesseract, runOcrmypdf, type NativeResult } from './native-run.js';
import { runPagemill } from './pagemill-run.js';
import { writeReport, type BenchReport } from './report.js';
import { spawnServer } from './server-under-test.js';

const { values: opts } = parseArgs({ options: { quick: { type: 'boolean' }, pages: { type: 'string' } } });
const SCANNED_PAGES = Number(opts.pages ?? 20);
const DPI = 300;
const log = (s: string) => process.stderr.write(`${s}\n`);

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-bench-'));
const report: BenchReport = {
  date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  settings: { scanned_pages: SCANNED_PAGES, dpi: DPI, workers: os.availableParallelism() }, systems: [], skipped: [],
};

try {
  log(`generating documents in ${root}…`);
  const scanned = path.join(root, 'scanned.pdf');
  const texts = await writeScanned(scanned, SCANNED_PAGES, 200, { skewDegrees: 0.7, specksPerPage: 400 });
  const expected = expectedText(texts);
  const digital = path.join(root, 'digital-500.pdf');
  await writeDigital(digital, 500);

  const server = await spawnServer({ INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data'), RENDER_DPI: String(DPI), MAX_QUEUED_PAGES: '100000' });
  try {
    // A server in service is warm: one small conversion first starts every thread's OCR engine.
    const warm = path.join(root, 'warm.pdf');
    await writeScanned(warm, 4, 150);
    await runPagemill(server, warm, null);
    log('pagemill: scanned pages over HTTP + WebSocket…');
    const ours = await runPagemill(server, scanned, expected);
    report.pagemill = ours;
    report.systems.push({ system: 'pagemill', seconds: ours.seconds, pages_per_minute: ours.pages_per_minute, cer: ours.cer });

    const debianFast = '/usr/share/tesseract-ocr/5/tessdata';
    if (await fs.stat(path.join(debianFast, 'eng.traineddata')).catch(() => null)) {
      log('pagemill with TESSDATA_DIR (Debian fast model)…');
      const fast = await spawnServer({ INPUT_DIR: path.join(root, 'in2'), OUTPUT_DIR: path.join(root, 'out2'), DATA_DIR: path.join(root, 'data2'), RENDER_DPI: String(DPI), TESSDATA_DIR: debianFast });
      try {
        const r = await runPagemill(fast, scanned, expected);
        report.systems.push({ system: 'pagemill, fast model', seconds: r.seconds, pages_per_minute: r.pages_per_minute, cer: r.cer });
      } finally {
        fast.child.kill('SIGTERM');
        await fast.exited;
      }
    } else {
      report.skipped.push({ system: 'pagemill, fast model', reason: `${debianFast}/eng.traineddata not installed (apt-get install tesseract-ocr-eng)` });
    }

    log('pagemill: 500 born-digital pages…');
    const born = await runPagemill(server, digital, null, { prompt_mode: 'prompt_ocr' });
    report.born_digital = { pages: born.pages, seconds: born.seconds, pages_per_second: Math.round((born.pages / born.seconds) * 10) / 10 };

    log('responsiveness while the pool is saturated…');
    const saturate = path.join(root, 'saturate.pdf');
    await writeScanned(saturate, 30, 200);
    const busy = runPagemill(server, saturate, null);
    await new Promise((r) => setTimeout(r, 1500));
    const status = await statusLatency(server.url);
    const convert = await convertLatency(server.url);
    const saturated = await busy;
    report.responsiveness = { worker_pool_status: status, post_convert: convert, ws_delay_ms: saturated.ws_delay_ms, submit_to_first_page_seconds: ours.first_page_seconds };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }

  const natives: [string, string[], () => Promise<NativeResult>][] = [
    ['tesseract CLI ×2', ['tesseract', 'pdftoppm'], async () => runNativeTesseract('tesseract CLI ×2', scanned, SCANNED_PAGES, DPI, root, expected, await sameModelTessdata(path.join(root, 'tessdata-best')))],
    ['tesseract CLI ×2, fast model', ['tesseract', 'pdftoppm'], () => runNativeTesseract('tesseract CLI ×2, fast model', scanned, SCANNED_PAGES, DPI, root, expected)],
    ['OCRmyPDF -j 2', ['ocrmypdf'], () => runOcrmypdf(scanned, SCANNED_PAGES, root, expected)],
  ];
  for (const [name, tools, run] of natives) {
    const missing = [];
    for (const t of tools) if (!(await has(t))) missing.push(t);
    if (missing.length) {
      report.skipped.push({ system: name, reason: `${missing.join(', ')} not installed (apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils ocrmypdf)` });
      log(`skipped ${name}: ${missing.join(', ')} not installed`);
      continue;
    }
    log(`${name}…`);
    report.systems.push(await run());
  }

  if (!opts.quick) {
    log('memory: 1,000 scanned pages, 2 workers…');
    report.memory = await memoryRun(1000, DPI, 2, log);
  } else {
    report.skipped.push({ system: 'memory run', reason: '--quick' });
  }

  const files = await writeReport(report, path.resolve(import.meta.dirname, 'results'));
  log(`\nwrote ${files.join(', ')}`);
  process.stdout.write(await fs.readFile(files.find((f) => f.endsWith('.md'))!, 'utf8'));
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
