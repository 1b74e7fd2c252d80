/**
 * The real-document part of the bench: a real-scan set and a real born-digital set (see
 * real-documents.ts), each system side by side, rounds interleaved, median reported with every
 * round. Called by run.ts; alone: `npx tsx bench/real-run.ts [--rounds N] [--copies N] [--systems a,b] [--scans-only | --born-digital]`
 * (prints JSON; --systems keeps the systems whose names hold one of the strings; --born-digital: only the
 * born-digital set, pagemill in both modes and `pdftotext`).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { pagesCer } from './cer.js';
import { has, parallel, rasterize, sameModelTessdata, tesseractText } from './native-tesseract.js';
import { runPagemill } from './pagemill-run.js';
import { writeRealBornDigitalSet, writeRealScanSet, type RealScanSet } from './real-documents.js';
import { spawnServer, type ServerProcess } from './server-under-test.js';

const run = promisify(execFile);

export interface RealSystemResult { system: string; seconds: number; pages_per_minute: number; pages_per_second: number; cer: number | null; rounds: number[] }
export interface RealSetResult { pages: number; systems: RealSystemResult[]; skipped: { system: string; reason: string }[] }
export interface RealDocumentsReport { real_scans: RealSetResult; real_born_digital: RealSetResult }

interface Measured { seconds: number; cer: number | null }

/** Rounds of the born-digital set at least, whatever `rounds` says (see realDocumentsRun). */
const BORN_DIGITAL_ROUNDS = 5;
interface Contender { system: string; needs: string[]; run: () => Promise<Measured> }

/**
 * Times `work` alone. It hands back how to score what it read, and the score is computed after the
 * clock stops: an edit distance is the bench's work, not the contender's.
 */
const timed = async (work: () => Promise<() => number | null>): Promise<Measured> => {
  const t0 = performance.now();
  const score = await work();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, cer: score() };
};

/** Native tesseract ×2 on each page at `dpiOf(page)`, from the PDF (rasterising included). */
function nativePerPage(set: RealScanSet, dpiOf: (i: number) => number, workDir: string, tessdata: string) {
  return timed(async () => {
    const dir = await fs.mkdtemp(path.join(workDir, 'native-'));
    const texts = await parallel(set.expected.map((_, i) => async () => {
      const [img] = await rasterize(set.file, path.join(dir, `p${i + 1}`), dpiOf(i), [i + 1]);
      const text = await tesseractText(img!, 'eng', tessdata, dpiOf(i));
      await fs.rm(img!, { force: true });
      return text;
    }), 2);
    await fs.rm(dir, { recursive: true, force: true });
    return () => pagesCer(texts, set.expected);
  });
}

/** OCRmyPDF -j 2 with a sidecar; `tessdataPrefix` picks the model (unset: the system's). */
function ocrmypdf(file: string, expected: string[] | null, workDir: string, extra: string[], tessdataPrefix?: string) {
  return timed(async () => {
    const out = path.join(workDir, `ocrmypdf-${Math.random().toString(16).slice(2)}`);
    const env = { ...process.env, OMP_THREAD_LIMIT: '1', ...(tessdataPrefix ? { TESSDATA_PREFIX: tessdataPrefix } : {}) };
    await run('ocrmypdf', ['-j', '2', ...extra, '--sidecar', `${out}.txt`, '-q', file, `${out}.pdf`], { env, maxBuffer: 1 << 24 });
    const text = await fs.readFile(`${out}.txt`, 'utf8').catch(() => '');
    await fs.rm(`${out}.pdf`, { force: true });
    // The sidecar puts a form feed between pages; a count that differs is scored as one text.
    return () => (expected ? pagesCer(text.split('\f'), expected) : null);
  });
}

async function measure(contenders: Contender[], pages: number, rounds: number, log: (s: string) => void): Promise<RealSetResult> {
  const skipped: RealSetResult['skipped'] = [];
  const ready: Contender[] = [];
  for (const c of contenders) {
    const missing = [];
    for (const tool of c.needs) if (!(await has(tool))) missing.push(tool);
    if (missing.length) skipped.push({ system: c.system, reason: `${missing.join(', ')} not installed` });
    else ready.push(c);
  }
  const runs = new Map<string, Measured[]>(ready.map((c) => [c.system, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const c of ready) {
      log(`real documents, round ${round}/${rounds}: ${c.system}…`);
      try {
        // The files the last system wrote go to disk first, untimed: the kernel writing them back
        // while the next system runs made its own writes cost up to 1 s more CPU (this VM's disk).
        await run('sync', []);
        runs.get(c.system)!.push(await c.run());
      } catch (err) {
        log(`  ${c.system} failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }
  const systems = ready.flatMap((c) => {
    const rs = runs.get(c.system)!;
    if (!rs.length) return [];
    const median = [...rs].sort((a, b) => a.seconds - b.seconds)[Math.floor(rs.length / 2)]!;
    const perMinute = (s: number) => Math.round((pages / s) * 600) / 10;
    return [{
      system: c.system, seconds: Math.round(median.seconds * 100) / 100, pages_per_minute: perMinute(median.seconds),
      pages_per_second: Math.round((pages / median.seconds) * 10) / 10, cer: median.cer, rounds: rs.map((r) => perMinute(r.seconds)),
    }];
  });
  return { pages, systems, skipped };
}

/**
 * A smoke of part of the run: `systems`, systems whose name holds one of these strings; `scansOnly`, no
 * born-digital set; `bornDigitalOnly`, the born-digital set alone without OCRmyPDF (a quick check of text-layer speed).
 */
export interface RealRunFilter { systems?: string[]; scansOnly?: boolean; bornDigitalOnly?: boolean }

export async function realDocumentsRun(root: string, rounds: number, log: (s: string) => void, copies = 2, filter: RealRunFilter = {}): Promise<RealDocumentsReport> {
  const wanted = (c: Contender) => !filter.systems || filter.systems.some((s) => c.system.includes(s));
  if (!(await has('qpdf')) || !(await has('pdfimages'))) {
    throw new Error('qpdf and pdfimages (poppler-utils) are needed to assemble the real-document sets');
  }
  const scans = await writeRealScanSet(root, copies);
  const born = await writeRealBornDigitalSet(root);
  const best = await sameModelTessdata(path.join(root, 'tessdata-best'));
  const servers: ServerProcess[] = [];
  const start = async (name: string, env: Record<string, string>) => {
    const s = await spawnServer({
      INPUT_DIR: path.join(root, name, 'in'), OUTPUT_DIR: path.join(root, name, 'out'), DATA_DIR: path.join(root, name, 'data'),
      IDLE_RELEASE_S: '0', ...env,
    });
    servers.push(s);
    await runPagemill(s, scans.file, null, { pages: '1' }); // warm: every thread's engine started
    return s;
  };
  try {
    const native = (await has('tesseract')) ? await start('real-native', { OCR_ENGINE: 'native' }) : null;
    const wasmWanted = !filter.bornDigitalOnly && (!filter.systems || filter.systems.some((s) => 'pagemill (tesseract.js engine)'.includes(s)));
    const wasm = wasmWanted || !native ? await start('real-wasm', { OCR_ENGINE: 'wasm' }) : null;
    const pagemill = (s: ServerProcess | null, fields: Record<string, string> = {}, expected: string[] | null = scans.expected, file = scans.file) =>
      runPagemill(s!, file, expected, fields, pagesCer).then((r): Measured => ({ seconds: r.seconds, cer: r.cer }));
    const scanContenders: Contender[] = [
      ...(native ? [{ system: 'pagemill (native engine)', needs: [], run: () => pagemill(native) }] : []),
      ...(wasm ? [{ system: 'pagemill (tesseract.js engine)', needs: [], run: () => pagemill(wasm) }] : []),
      { system: 'tesseract ×2 at each page\'s own dpi', needs: ['tesseract', 'pdftoppm'], run: () => nativePerPage(scans, (i) => scans.page_dpi[i]!, root, best) },
      { system: 'tesseract ×2 at 300 dpi', needs: ['tesseract', 'pdftoppm'], run: () => nativePerPage(scans, () => 300, root, best) },
      { system: 'OCRmyPDF -j 2, same model', needs: ['ocrmypdf'], run: () => ocrmypdf(scans.file, scans.expected, root, ['--force-ocr'], best) },
      { system: 'OCRmyPDF -j 2, system model', needs: ['ocrmypdf'], run: () => ocrmypdf(scans.file, scans.expected, root, ['--force-ocr']) },
    ];
    const text = (native ?? wasm)!;
    const bornContenders: Contender[] = [
      { system: 'pagemill, default mode', needs: [], run: () => pagemill(text, {}, null, born.file) },
      { system: 'pagemill, prompt_ocr', needs: [], run: () => pagemill(text, { prompt_mode: 'prompt_ocr' }, null, born.file) },
      {
        system: 'pdftotext (one process)', needs: ['pdftotext'],
        run: () => timed(async () => {
          await run('pdftotext', [born.file, path.join(root, 'born.txt')]);
          return () => null;
        }),
      },
      { system: 'OCRmyPDF -j 2 --skip-text', needs: ['ocrmypdf'], run: () => ocrmypdf(born.file, null, root, ['--skip-text'], best) },
    ];
    const realScans = filter.bornDigitalOnly ? { pages: scans.pages, systems: [], skipped: [] } : await measure(scanContenders.filter(wanted), scans.pages, rounds, log);
    if (filter.scansOnly) return { real_scans: realScans, real_born_digital: { pages: born.pages, systems: [], skipped: [{ system: 'all', reason: '--scans-only' }] } };
    // A server in service has read text layers before: untimed conversions of the set first, one in
    // each mode, so the rounds time the work and not V8 compiling pdf.js's text extraction and our
    // layout (on one server, 2026-12-07: 6.1, 4.4, 3.2, 3.3, 3.0 s for five conversions in a row).
    for (const fields of [{}, { prompt_mode: 'prompt_ocr' }] as Record<string, string>[]) await runPagemill(text, born.file, null, fields);
    const bornSystems = bornContenders.filter((c) => wanted(c) && !(filter.bornDigitalOnly && c.system.startsWith('OCRmyPDF')));
    // The born-digital rounds take seconds (OCRmyPDF's ~40), the scans' minutes: at least
    // BORN_DIGITAL_ROUNDS of them, for a median that moves less with this shared machine.
    return { real_scans: realScans, real_born_digital: await measure(bornSystems, born.pages, Math.max(rounds, BORN_DIGITAL_ROUNDS), log) };
  } finally {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --systems 'pagemill (native,OCRmyPDF -j 2, same': only the systems whose names hold one of these (comma-separated).
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, copies: { type: 'string' }, systems: { type: 'string' }, 'scans-only': { type: 'boolean' }, 'born-digital': { type: 'boolean' } } });
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-real-'));
  try {
    const filter = { systems: values.systems?.split(','), scansOnly: values['scans-only'], bornDigitalOnly: values['born-digital'] };
    const report = await realDocumentsRun(root, Number(values.rounds ?? 3), (s) => process.stderr.write(`${s}\n`), Number(values.copies ?? 2), filter);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
