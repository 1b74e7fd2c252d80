// A quick cluster measurement (not the full `--cluster` bench, one round each): redis-server, an
// API node with --workers 0 and two worker nodes with --workers 1 on this machine, then local mode
// with 2 threads, on the same scanned document of N pages. Reports pages/min of both, their ratio,
// the API node's CPU per page and Redis commands per page.
// npx tsx bench/cluster-probe.ts [pages=20]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { scannedPdf } from '../test/fixtures/pdf-fixtures.js';
import { startApiNode, startRedis, startWorkerNode, stopAll } from '../test/helpers/cluster-processes.js';
import { spawnServer } from '../test/helpers/server-process.js';

const pages = Number(process.argv[2] ?? 20);
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-cluster-bench-'));
const redis = await startRedis(path.join(root, 'redis'));
const api = await startApiNode(redis.url, root);
const workers = await Promise.all([1, 2].map((i) => startWorkerNode(redis.url, api.url!, path.join(root, `w${i}`))));
async function convert(url: string, pdf: Buffer): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)]), 'bench.pdf');
  const { conversion_id: id } = (await (await fetch(`${url}/convert`, { method: 'POST', body: form })).json()) as { conversion_id: string };
  for (;;) {
    const rec = (await (await fetch(`${url}/conversions/${id}`)).json()) as { status: string };
    if (rec.status !== 'processing' && rec.status !== 'pending') return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
const cpuOf = async (pid: number) => {
  const f = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
};
const commands = async (r: Redis) => {
  const info = await r.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
};
try {
  const admin = new Redis(redis.url);
  for (;;) {
    const pool = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { worker_threads: number };
    if (pool.worker_threads === 2) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const pdf = await scannedPdf(Array.from({ length: pages }, (_, i) => [`Cluster bench page ${i + 1}`, 'The quick brown fox jumps over the lazy dog']), 300);
  const ticks0 = await cpuOf(api.child.pid!);
  const cmd0 = await commands(admin);
  const t0 = Date.now();
  await convert(api.url!, pdf);
  const seconds = (Date.now() - t0) / 1000;
  const ticks = (await cpuOf(api.child.pid!)) - ticks0; // clock ticks: 100 per second on Linux
  const cmds = (await commands(admin)) - cmd0;
  const local = await spawnServer({ DATA_DIR: path.join(root, 'l-data'), INPUT_DIR: path.join(root, 'l-in'), OUTPUT_DIR: path.join(root, 'l-out'),
    NUM_WORKERS: '2', OCR_ENGINE: 'wasm', RENDER_DPI: '150', LOG_LEVEL: 'info' });
  const t1 = Date.now();
  await convert(local.url, pdf);
  const localSeconds = (Date.now() - t1) / 1000;
  local.child.kill('SIGTERM');
  await local.exited;
  const ppm = (s: number) => Math.round((pages / s) * 600) / 10;
  console.log(JSON.stringify({
    pages, cluster_pages_per_minute: ppm(seconds), local_2_threads_pages_per_minute: ppm(localSeconds),
    efficiency: Math.round((localSeconds / seconds) * 100) / 100,
    api_cpu_ms_per_page: Math.round((ticks * 10) / pages), redis_commands_per_page: Math.round(cmds / pages),
  }));
  admin.disconnect();
} finally {
  await stopAll([api, ...workers]);
  await redis.stop();
  await fs.rm(root, { recursive: true, force: true });
}
