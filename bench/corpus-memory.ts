/**
 * Peak memory on every document of ../shared/corpus, with the settings a user gets (2 workers,
 * default dpi and engine, the malloc settings of `npm start`): a fresh server per document, so its
 * high-water mark (VmHWM) is that document's peak; /proc is also sampled every 50 ms for the
 * resident memory of the server's child processes (native tesseract), reported beside it.
 * Usage: npx tsx bench/corpus-memory.ts [--only multipage,enormous]   (prints JSON; env as for the
 * server, e.g. OCR_ENGINE; --only keeps the documents whose path holds one of the strings)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { memoryOf, spawnServer, submit } from './server-under-test.js';

const CORPUS = path.resolve(import.meta.dirname, '../../shared/corpus');

export interface CorpusMemoryRow { file: string; status: string; error_code: string | null; seconds: number; peak_rss_mb: number; peak_with_children_mb: number }
export interface CorpusMemoryResult { workers: number; documents: number; server_peak_rss_mb: number; max_with_children_mb: number; rows: CorpusMemoryRow[] }

function corpusFiles(): string[] {
  return ['OCRmyPDF', 'pdf.js', 'qpdf', 'synthetic'].flatMap((dir) => fs.readdirSync(path.join(CORPUS, dir))
    .filter((n) => /\.(pdf|png)$/i.test(n))
    .map((n) => `${dir}/${n}`)).sort();
}

/** Resident MB of every descendant of `pid` (native tesseract runs as children of the server). */
function childrenRssMb(pid: number): number {
  let total = 0;
  for (const task of safeList(`/proc/${pid}/task`)) {
    const kids = safeRead(`/proc/${pid}/task/${task}/children`).split(' ').filter(Boolean).map(Number);
    for (const kid of kids) total += (memoryOf(kid)?.rss_mb ?? 0) + childrenRssMb(kid);
  }
  return total;
}
const safeList = (dir: string) => { try { return fs.readdirSync(dir); } catch { return []; } };
const safeRead = (file: string) => { try { return fs.readFileSync(file, 'utf8'); } catch { return ''; } };

async function oneDocument(file: string, root: string): Promise<CorpusMemoryRow | null> {
  const server = await spawnServer({
    INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data'), NUM_WORKERS: '2', LOG_LEVEL: 'info',
  });
  const pid = server.child.pid!;
  try {
    const t0 = performance.now();
    let accepted: { id: string };
    try {
      accepted = await submit(server.url, path.basename(file), fs.readFileSync(path.join(CORPUS, file)), {}); // the default formats, as a user gets them
    } catch {
      return null; // refused at the door (empty, not a PDF or image): nothing was decoded
    }
    let peakAll = 0;
    let rec: { status: string; error_code?: string | null };
    for (;;) {
      peakAll = Math.max(peakAll, (memoryOf(pid)?.rss_mb ?? 0) + childrenRssMb(pid));
      rec = (await (await fetch(`${server.url}/conversion-status/${accepted.id}`)).json()) as typeof rec;
      if (['completed', 'error', 'cancelled'].includes(rec.status)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const peak = memoryOf(pid)?.peak_rss_mb ?? 0;
    return {
      file, status: rec.status, error_code: rec.error_code ?? null, seconds: Math.round((performance.now() - t0) / 100) / 10,
      peak_rss_mb: peak, peak_with_children_mb: Math.max(peak, peakAll),
    };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

export async function corpusMemoryRun(log = (s: string) => process.stderr.write(`${s}\n`), only?: string[]): Promise<CorpusMemoryResult> {
  const rows: CorpusMemoryRow[] = [];
  for (const file of corpusFiles().filter((f) => !only || only.some((o) => f.includes(o)))) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pagemill-corpus-mem-'));
    try {
      const row = await oneDocument(file, root);
      if (!row) continue;
      rows.push(row);
      log(`${file}: ${row.status}${row.error_code ? ` (${row.error_code})` : ''}, peak ${row.peak_rss_mb} MB (with children ${row.peak_with_children_mb} MB)`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  return {
    workers: 2, documents: rows.length, server_peak_rss_mb: Math.max(...rows.map((r) => r.peak_rss_mb)),
    max_with_children_mb: Math.max(...rows.map((r) => r.peak_with_children_mb)), rows,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  process.stdout.write(`${JSON.stringify(await corpusMemoryRun(undefined, values.only?.split(',')), null, 2)}\n`);
}
