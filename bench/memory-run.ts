/**
 * Peak memory of the whole server process (main thread + worker threads) while it converts a
 * large scanned PDF. Usage: npx tsx bench/memory-run.ts [pages=1000] [dpi=300] [workers=2]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeScanned } from './documents.js';
import { memoryOf, spawnServer, submit } from './server-under-test.js';

export interface MemoryResult { pages: number; dpi: number; workers: number; file_mb: number; seconds: number; pages_per_minute: number; peak_rss_mb: number; status: string }

export async function memoryRun(pages: number, dpi: number, workers: number, log = console.log): Promise<MemoryResult> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-mem-'));
  try {
    const file = path.join(root, `scanned-${pages}.pdf`);
    log(`generating a ${pages}-page scanned PDF…`);
    await writeScanned(file, pages, 150);
    const data = await fs.readFile(file);
    const server = await spawnServer({
      INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'), DATA_DIR: path.join(root, 'data'),
      NUM_WORKERS: String(workers), RENDER_DPI: String(dpi), LOG_LEVEL: 'info', MAX_PAGES: String(Math.max(2000, pages)),
    });
    try {
      const t0 = Date.now();
      const { id } = await submit(server.url, 'large.pdf', data);
      let peak = 0;
      let rec: { status: string; pages_completed: number; pages_failed: number };
      for (let tick = 0; ; tick++) {
        peak = Math.max(peak, memoryOf(server.child.pid!)?.peak_rss_mb ?? 0);
        rec = (await (await fetch(`${server.url}/conversion-status/${id}`)).json()) as typeof rec;
        if (['completed', 'error', 'cancelled'].includes(rec.status)) break;
        if (tick % 60 === 0) log(`  ${rec.pages_completed + rec.pages_failed}/${pages} pages, peak RSS ${peak} MB`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const seconds = (Date.now() - t0) / 1000;
      peak = Math.max(peak, memoryOf(server.child.pid!)?.peak_rss_mb ?? 0);
      return {
        pages, dpi, workers, file_mb: Math.round(data.length / 1e5) / 10, seconds: Math.round(seconds),
        pages_per_minute: Math.round((pages / seconds) * 60 * 10) / 10, peak_rss_mb: peak, status: rec.status,
      };
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [pages = 1000, dpi = 300, workers = 2] = process.argv.slice(2).map(Number);
  const r = await memoryRun(pages, dpi, workers);
  console.log(JSON.stringify(r));
}
