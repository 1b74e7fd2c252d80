/**
 * Memory after the queue drains, and what stopping idle threads costs the next page.
 * Usage: npx tsx bench/idle-memory.ts [file.pdf] [wait_s=75]
 * Env: OCR_ENGINE, IDLE_RELEASE_S (passed to the server). Prints one JSON object.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scannedPdf } from '../test/fixtures/pdf-fixtures.js';
import { memoryOf, spawnServer, submit, type ServerProcess } from './server-under-test.js';

const DEFAULT_FILE = path.resolve(import.meta.dirname, '../../shared/corpus/OCRmyPDF/multipage.pdf');

async function waitEnd(url: string, id: string): Promise<{ status: string; pages_completed: number }> {
  for (;;) {
    const rec = (await (await fetch(`${url}/conversion-status/${id}`)).json()) as { status: string; pages_completed: number };
    if (['completed', 'error', 'cancelled'].includes(rec.status)) return rec;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Seconds from submit to the end of a one-page conversion. */
async function onePage(server: ServerProcess, data: Buffer): Promise<number> {
  const t0 = performance.now();
  const { id } = await submit(server.url, 'one.pdf', data, { formats: 'txt' });
  await waitEnd(server.url, id);
  return Math.round((performance.now() - t0) / 100) / 10;
}

export async function idleMemoryRun(file = DEFAULT_FILE, waitS = 75, log = (s: string) => process.stderr.write(`${s}\n`)) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-idle-'));
  const server = await spawnServer({ INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'info' });
  const pid = server.child.pid!;
  try {
    const started = memoryOf(pid)!.rss_mb;
    const { id } = await submit(server.url, path.basename(file), await fs.readFile(file), { formats: 'json' });
    const rec = await waitEnd(server.url, id);
    const drained = memoryOf(pid)!;
    log(`drained: ${JSON.stringify(drained)} (${rec.status}, ${rec.pages_completed} pages)`);
    const samples: { after_s: number; rss_mb: number; threads: number }[] = [];
    for (let s = 15; s <= waitS; s += 15) {
      await new Promise((r) => setTimeout(r, 15_000));
      const pool = (await (await fetch(`${server.url}/worker-pool-status`)).json()) as { worker_threads: number };
      samples.push({ after_s: s, rss_mb: memoryOf(pid)!.rss_mb, threads: pool.worker_threads });
      log(`+${s} s: ${JSON.stringify(samples.at(-1))}`);
    }
    const page = await scannedPdf([['A single page after the pool went idle', 'to time the first page of a cold pool']]);
    const cold = await onePage(server, page);
    const warm = await onePage(server, page);
    return {
      file: path.basename(file),
      rss_at_start_mb: started,
      rss_drained_mb: drained.rss_mb,
      peak_rss_mb: drained.peak_rss_mb,
      idle: samples,
      first_page_cold_s: cold,
      first_page_warm_s: warm,
    };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, wait] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await idleMemoryRun(file || undefined, wait ? Number(wait) : undefined))}\n`);
}
