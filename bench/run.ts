/**
 * `npm run bench` — pagemill side by side with native tesseract and OCRmyPDF on the same generated
 * pages, plus born-digital throughput, responsiveness under load and memory on 1,000 pages.
 * Installs nothing: native tools are used when present and skipped with a reason when not.
 * Options: --quick (skip the 1,000-page memory run), --pages N (scanned pages, default 20),
 * --rounds N (times each system converts them, default 3; the median is reported), --no-real
 * (skip the real-document sets of real-run.ts: real scans and a real born-digital paper),
 * --cluster (only the cluster row: local 2 threads vs API node + 2 worker nodes × 1 thread, see cluster-run.ts),
 * --chaos / --chaos-small (only the chaos run: faults injected into a 3-worker-node cluster, see chaos-run.ts),
 * --accuracy (only the word-accuracy run on real transcribed pages, see accuracy/ocr-set-run.ts; with
 * --only page,page, --systems pagemill,native,ocrmypdf,published). The full run includes the accuracy
 * rows too (word F1, ICDAR 2013 table structure), after the real documents: --no-accuracy skips them;
 * --ocr-set DIR says where the transcribed pages are (else OCR_BENCHMARK_DIR, else ../ocr-benchmark).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { expectedText, writeDigital, writeScanned } from './documents.js';
import { convertLatency, statusLatency } from './load.js';
import { corpusMemoryRun } from './corpus-memory.js';
import { idleMemoryRun } from './idle-memory.js';
import { memoryRun } from './memory-run.js';
import { has, sameModelTessdata } from './native-tesseract.js';
import { runNativeTesseract, runOcrmypdf, type NativeResult } from './native-run.js';
import { runPagemill, type PagemillResult } from './pagemill-run.js';
import { realDocumentsRun } from './real-run.js';
import { writeReport, type BenchReport } from './report.js';
import { spawnServer, type ServerProcess } from './server-under-test.js';

const { values: opts } = parseArgs({ options: {
  quick: { type: 'boolean' }, pages: { type: 'string' }, rounds: { type: 'string' }, 'no-real': { type: 'boolean' }, cluster: { type: 'boolean' },
  chaos: { type: 'boolean' }, 'chaos-small': { type: 'boolean' },
  accuracy: { type: 'boolean' }, 'no-accuracy': { type: 'boolean' }, 'ocr-set': { type: 'string' }, only: { type: 'string' }, systems: { type: 'string' },
} });
const SCANNED_PAGES = Number(opts.pages ?? 20);
const ROUNDS = Math.max(1, Number(opts.rounds ?? 3));
if (opts.cluster) {
  const { clusterBench } = await import('./cluster-run.js');
  console.log(JSON.stringify(await clusterBench(SCANNED_PAGES, ROUNDS), null, 2));
  process.exit(0);
}
if (opts.chaos || opts['chaos-small']) {
  const { chaosBench } = await import('./chaos-run.js');
  process.exit(await chaosBench(!!opts['chaos-small']));
}
if (opts.accuracy) {
  const { accuracyBenchToResults } = await import('./accuracy/ocr-set-run.js');
  const files = await accuracyBenchToResults(process.argv.slice(2).filter((a) => a !== '--accuracy'));
  process.stderr.write(`wrote ${files.join(', ')}\n`);
  process.exit(0);
}
const DPI = 300;
/** The generated scans' own resolution: coarser than DPI, as office scanners' 200-dpi default is. */
const SCAN_DPI = 200;
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Measured { seconds: number; pages_per_minute: number; cer: number | null }
interface Contender { system: string; run: () => Promise<Measured> }

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-bench-'));
const report: BenchReport = {
  date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  settings: { scanned_pages: SCANNED_PAGES, dpi: DPI, workers: os.availableParallelism(), rounds: ROUNDS }, systems: [], skipped: [],
};

try {
  log(`generating documents in ${root}…`);
  const scanned = path.join(root, 'scanned.pdf');
  const texts = await writeScanned(scanned, SCANNED_PAGES, SCAN_DPI, { skewDegrees: 0.7, specksPerPage: 400 });
  const expected = expectedText(texts);
  const digital = path.join(root, 'digital-500.pdf');
  await writeDigital(digital, 500);

  const serverEnv = (name: string, extra: Record<string, string> = {}) => ({
    INPUT_DIR: path.join(root, name, 'in'), OUTPUT_DIR: path.join(root, name, 'out'), DATA_DIR: path.join(root, name, 'data'),
    RENDER_DPI: String(DPI), MAX_QUEUED_PAGES: '100000', ...extra,
  });
  // A server in service is warm: one small conversion first starts every thread's OCR engine.
  const warm = path.join(root, 'warm.pdf');
  await writeScanned(warm, 4, 150);
  const servers: ServerProcess[] = [];
  const startWarm = async (name: string, extra?: Record<string, string>) => {
    const s = await spawnServer(serverEnv(name, extra));
    servers.push(s);
    await runPagemill(s, warm, null);
    return s;
  };
  try {
    const server = await startWarm('pagemill');
    const contenders: Contender[] = [{ system: 'pagemill', run: () => runPagemill(server, scanned, expected) }];

    const debianFast = '/usr/share/tesseract-ocr/5/tessdata';
    if (await fs.stat(path.join(debianFast, 'eng.traineddata')).catch(() => null)) {
      const fast = await startWarm('pagemill-fast', { TESSDATA_DIR: debianFast });
      contenders.push({ system: 'pagemill, fast model', run: () => runPagemill(fast, scanned, expected) });
    } else {
      report.skipped.push({ system: 'pagemill, fast model', reason: `${debianFast}/eng.traineddata not installed (apt-get install tesseract-ocr-eng)` });
    }
    const natives: [string, string[], () => Promise<NativeResult>][] = [
      ['tesseract CLI ×2', ['tesseract', 'pdftoppm'], async () => runNativeTesseract('tesseract CLI ×2', scanned, SCANNED_PAGES, DPI, root, expected, await sameModelTessdata(path.join(root, 'tessdata-best')))],
      // Not a target: native doing what pagemill does with a scan coarser than RENDER_DPI (reading it at its own resolution).
      [`tesseract CLI ×2 at the scan's ${SCAN_DPI} dpi`, ['tesseract', 'pdftoppm'], async () => runNativeTesseract(`tesseract CLI ×2 at the scan's ${SCAN_DPI} dpi`, scanned, SCANNED_PAGES, SCAN_DPI, root, expected, await sameModelTessdata(path.join(root, 'tessdata-best')))],
      ['tesseract CLI ×2, fast model', ['tesseract', 'pdftoppm'], () => runNativeTesseract('tesseract CLI ×2, fast model', scanned, SCANNED_PAGES, DPI, root, expected)],
      ['OCRmyPDF -j 2', ['ocrmypdf'], () => runOcrmypdf(scanned, SCANNED_PAGES, root, expected)],
    ];
    for (const [system, tools, run] of natives) {
      const missing = [];
      for (const t of tools) if (!(await has(t))) missing.push(t);
      if (missing.length) {
        report.skipped.push({ system, reason: `${missing.join(', ')} not installed (apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils ocrmypdf)` });
        log(`skipped ${system}: ${missing.join(', ')} not installed`);
      } else {
        contenders.push({ system, run });
      }
    }

    // Rounds interleave the systems, so a slow spell of this (shared, virtual) machine hits them
    // all alike; each system's median round is reported, with every round's pages/min beside it.
    const rounds = new Map<string, Measured[]>(contenders.map((c) => [c.system, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of contenders) {
        log(`round ${round}/${ROUNDS}: ${c.system}…`);
        rounds.get(c.system)!.push(await c.run());
      }
    }
    for (const c of contenders) {
      const runs = rounds.get(c.system)!;
      const median = [...runs].sort((x, y) => x.pages_per_minute - y.pages_per_minute)[Math.floor(runs.length / 2)]!;
      report.systems.push({ system: c.system, seconds: median.seconds, pages_per_minute: median.pages_per_minute, cer: median.cer, rounds: runs.map((r) => r.pages_per_minute) });
      if (c.system === 'pagemill') report.pagemill = median as PagemillResult;
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
    report.responsiveness = { worker_pool_status: status, post_convert: convert, ws_delay_ms: saturated.ws_delay_ms, submit_to_first_page_seconds: report.pagemill?.first_page_seconds ?? null };
  } finally {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  }

  if (!opts['no-real']) {
    try {
      Object.assign(report, await realDocumentsRun(root, ROUNDS, log));
    } catch (err) {
      report.skipped.push({ system: 'real documents', reason: (err as Error).message });
    }
  } else {
    report.skipped.push({ system: 'real documents', reason: '--no-real' });
  }

  // Accuracy in the same run as the speed figures: word F1 on real transcribed pages, table structure on ICDAR 2013.
  if (!opts['no-accuracy']) {
    try {
      const { accuracyBench } = await import('./accuracy/ocr-set-run.js');
      log('accuracy: word F1 on real transcribed pages (pagemill, native tesseract, OCRmyPDF, published)…');
      report.words = await accuracyBench(opts['ocr-set'] ? ['--ocr-set', opts['ocr-set']] : [], log);
    } catch (err) {
      report.skipped.push({ system: 'word accuracy', reason: (err as Error).message.split('\n')[0]! });
    }
    try {
      const { icdarRun } = await import('./accuracy/icdar2013.js');
      log('accuracy: table structure on ICDAR 2013…');
      const { per_doc: _perDoc, ...tables } = await icdarRun({ log });
      report.tables = tables;
    } catch (err) {
      report.skipped.push({ system: 'table accuracy', reason: (err as Error).message.split('\n')[0]! });
    }
  } else {
    report.skipped.push({ system: 'accuracy', reason: '--no-accuracy' });
  }

  if (!opts.quick) {
    log('memory: 1,000 scanned pages, 2 workers…');
    report.memory = await memoryRun(1000, DPI, 2, log);
    log('memory: every corpus document, a fresh server each…');
    report.corpus_memory = await corpusMemoryRun(log).catch((err: Error) => {
      report.skipped.push({ system: 'corpus memory', reason: err.message.split('\n')[0]! });
      return undefined;
    });
    log('memory after the queue drains (multipage.pdf, then 75 s idle)…');
    report.idle_memory = await idleMemoryRun(undefined, 75, log).catch((err: Error) => {
      report.skipped.push({ system: 'idle memory', reason: err.message.split('\n')[0]! });
      return undefined;
    });
  } else {
    report.skipped.push({ system: 'memory run', reason: '--quick' });
  }

  const files = await writeReport(report, path.resolve(import.meta.dirname, 'results'));
  log(`\nwrote ${files.join(', ')}`);
  process.stdout.write(await fs.readFile(files.find((f) => f.endsWith('.md'))!, 'utf8'));
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
