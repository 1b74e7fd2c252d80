/**
 * Peak memory on every document of ../shared/corpus, with the settings a user gets (2 workers,
 * default dpi and engine): one server converts the documents one after another; /proc is sampled
 * every 50 ms for the server's resident memory and that of its child processes (native tesseract),
 * and the server's own high-water mark (VmHWM) bounds every document at the end.
 * Usage: npx tsx bench/corpus-memory.ts   (prints JSON; env as for the server, e.g. OCR_ENGINE)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

export async function corpusMemoryRun(log = (s: string) => process.stderr.write(`${s}\n`)): Promise<CorpusMemoryResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pagemill-corpus-mem-'));
  const server = await spawnServer({
    INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data'), NUM_WORKERS: '2', LOG_LEVEL: 'info',
  });
  const pid = server.child.pid!;
  const rows: CorpusMemoryRow[] = [];
  try {
    for (const file of corpusFiles()) {
      const data = fs.readFileSync(path.join(CORPUS, file));
      const t0 = performance.now();
      let accepted: { id: string };
      try {
        accepted = await submit(server.url, path.basename(file), data, { formats: 'json' });
      } catch {
        continue; // refused at the door (empty, not a PDF or image): nothing was decoded
      }
      let peak = 0;
      let peakAll = 0;
      let rec: { status: string; error_code?: string | null };
      for (;;) {
        const rss = memoryOf(pid)?.rss_mb ?? 0;
        peak = Math.max(peak, rss);
        peakAll = Math.max(peakAll, rss + childrenRssMb(pid));
        rec = (await (await fetch(`${server.url}/conversion-status/${accepted.id}`)).json()) as typeof rec;
        if (['completed', 'error', 'cancelled'].includes(rec.status)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      rows.push({ file, status: rec.status, error_code: rec.error_code ?? null, seconds: Math.round((performance.now() - t0) / 100) / 10, peak_rss_mb: peak, peak_with_children_mb: peakAll });
      log(`${file}: ${rec.status}${rec.error_code ? ` (${rec.error_code})` : ''}, peak ${peak} MB (+children ${peakAll} MB)`);
    }
    return {
      workers: 2, documents: rows.length, server_peak_rss_mb: memoryOf(pid)?.peak_rss_mb ?? 0,
      max_with_children_mb: Math.max(...rows.map((r) => r.peak_with_children_mb)), rows,
    };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await corpusMemoryRun(), null, 2)}\n`);
}
