/**
 * The accuracy bench: word F1 on the real page images of scribeocr/ocr-benchmark (see ocr-set.ts)
 * for pagemill over HTTP in its default settings, native tesseract and OCRmyPDF on the same image
 * files with the same model, and the published tesseract.js and scribe.js hOCR of the set scored
 * with the same scorer (word-f1.ts), so every row is counted alike.
 * `npm run bench -- --accuracy [--ocr-set DIR] [--only table_05,multicol_08] [--systems pagemill,native,ocrmypdf]`
 * or `npx tsx bench/accuracy/ocr-set-run.ts` with the same options.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { has, sameModelTessdata } from '../native-tesseract.js';
import { spawnServer } from '../server-under-test.js';
import { nativeReader, ocrmypdfReader, pagemillReader, type PageReader } from './ocr-set-readers.js';
import { ocrSetDir, ocrSetPages, publishedText, type SetPage } from './ocr-set.js';
import { markdown, summarize, writeAccuracyReport, type AccuracyReport, type SystemRow } from './ocr-set-report.js';
import { wordScore, words } from './word-f1.js';

/** The set's committed results: [folder under results/, the row's name]. */
const PUBLISHED: [string, string][] = [['tesseractjs_lstm', 'tesseract.js (LSTM)'], ['scribejs', 'scribe.js']];

async function readAll(system: string, pages: SetPage[], read: PageReader, log: (s: string) => void): Promise<SystemRow> {
  const row: SystemRow = { system, source: 'run', pages: {} };
  for (const page of pages) {
    const { text, seconds } = await read(page);
    row.pages[page.name] = { ...wordScore(words(text), words(page.truth)), seconds };
    log(`${system} ${page.name}: F1 ${(100 * row.pages[page.name]!.f1).toFixed(1)} % in ${seconds} s`);
  }
  return row;
}

export async function accuracyBench(args: string[], log = (s: string) => process.stderr.write(`${s}\n`)): Promise<AccuracyReport> {
  const { values: opts } = parseArgs({ args, options: { 'ocr-set': { type: 'string' }, only: { type: 'string' }, systems: { type: 'string' } }, strict: false });
  const dir = ocrSetDir(opts['ocr-set'] as string | undefined);
  const pages = await ocrSetPages(dir, (opts.only as string | undefined)?.split(','));
  const wanted = new Set(((opts.systems as string | undefined) ?? 'pagemill,native,ocrmypdf,published').split(','));
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-words-'));
  const report: AccuracyReport = {
    date: new Date().toISOString(), commit: await commit(), set: { dir, pages: pages.length },
    machine: { cpus: os.availableParallelism(), node: process.version }, systems: [], skipped: [],
  };
  try {
    const tessdata = await sameModelTessdata(path.join(root, 'tessdata'));
    if (wanted.has('pagemill')) {
      // Default settings: only the folders are the bench's.
      const server = await spawnServer({ INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data') });
      try {
        report.systems.push(summarize(await readAll('pagemill', pages, pagemillReader(server), log)));
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    }
    const tools: [string, string, string[], () => PageReader | Promise<PageReader>][] = [
      ['native', 'tesseract CLI', ['tesseract'], () => nativeReader(tessdata)],
      ['ocrmypdf', 'OCRmyPDF', ['ocrmypdf', 'pdftotext'], () => ocrmypdfReader(tessdata, root)],
    ];
    for (const [key, system, needs, reader] of tools) {
      if (!wanted.has(key)) continue;
      const missing = [];
      for (const t of needs) if (!(await has(t))) missing.push(t);
      if (missing.length) report.skipped.push({ system, reason: `${missing.join(', ')} not installed (apt-get install tesseract-ocr ocrmypdf poppler-utils)` });
      else report.systems.push(summarize(await readAll(system, pages, await reader(), log)));
    }
    if (wanted.has('published')) {
      for (const [folder, system] of PUBLISHED) {
        const row: SystemRow = { system, source: 'published', pages: {} };
        for (const page of pages) {
          const text = await publishedText(dir, folder, page.name);
          if (text !== null) row.pages[page.name] = { ...wordScore(words(text), words(page.truth)), seconds: null };
        }
        if (Object.keys(row.pages).length === pages.length) report.systems.push(summarize(row));
        else report.skipped.push({ system, reason: `results/${folder} lacks some pages` });
      }
    }
    return report;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

async function commit(): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['rev-parse', '--short', 'HEAD'], { cwd: import.meta.dirname }).catch(() => ({ stdout: 'unknown' }));
  return stdout.trim();
}

/** Runs the bench and writes bench/results/<date>-accuracy.{json,md}; returns the files. */
export async function accuracyBenchToResults(args: string[]): Promise<string[]> {
  const report = await accuracyBench(args);
  const files = await writeAccuracyReport(report, path.resolve(import.meta.dirname, '../results'));
  process.stdout.write(markdown(report));
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await accuracyBenchToResults(process.argv.slice(2));
  process.stderr.write(`wrote ${files.join(', ')}\n`);
}
