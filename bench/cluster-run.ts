// `npm run bench -- --cluster`: the same scanned pages through (a) local mode with 2 threads and
// (b) redis-server + an API node with --workers 0 + two worker nodes with --workers 1, all on this
// machine; rounds interleaved (a, b, a, b…), median reported. Also the API node's CPU per page and
// Redis commands per page. Standalone: npx tsx bench/cluster-run.ts [pages] [rounds]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { writeScanned } from './documents.js';
import { startApiNode, startRedis, startWorkerNode, stopAll } from '../test/helpers/cluster-processes.js';
import { spawnServer } from '../test/helpers/server-process.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function convert(url: string, pdf: Buffer): Promise<number> {
  const t0 = Date.now();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)]), 'bench.pdf');
  const { conversion_id: id } = (await (await fetch(`${url}/convert`, { method: 'POST', body: form })).json()) as { conversion_id: string };
  for (;;) {
    const rec = (await (await fetch(`${url}/conversions/${id}`)).json()) as { status: string };
    if (rec.status === 'completed') return (Date.now() - t0) / 1000;
    if (rec.status !== 'processing' && rec.status !== 'pending') throw new Error(`conversion ended ${rec.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** utime + stime of a process, in clock ticks (100 per second on Linux). */
async function cpuTicks(pid: number): Promise<number> {
  const f = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

export async function clusterBench(pages = 20, rounds = 3) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-cluster-bench-'));
  const file = path.join(root, 'scanned.pdf');
  await writeScanned(file, pages, 200, { skewDegrees: 0.7, specksPerPage: 400 });
  const pdf = await fs.readFile(file);
  const env = { RENDER_DPI: '300', OCR_ENGINE: 'wasm' };
  const redis = await startRedis(path.join(root, 'redis'));
  const api = await startApiNode(redis.url, root, env);
  const workers = await Promise.all([1, 2].map((i) => startWorkerNode(redis.url, api.url!, path.join(root, `w${i}`), env)));
  const local = await spawnServer({ ...env, NUM_WORKERS: '2', DATA_DIR: path.join(root, 'l-data'), INPUT_DIR: path.join(root, 'l-in'), OUTPUT_DIR: path.join(root, 'l-out') });
  const admin = new Redis(redis.url);
  const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await admin.info('stats'))![1]);
  try {
    for (;;) {
      const pool = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { worker_threads: number };
      if (pool.worker_threads === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Warm: every thread's OCR engine started once.
    await convert(api.url!, pdf);
    await convert(local.url, pdf);
    const localS: number[] = [];
    const clusterS: number[] = [];
    const cpuMs: number[] = [];
    const cmds: number[] = [];
    for (let r = 0; r < rounds; r++) {
      localS.push(await convert(local.url, pdf));
      const [ticks, c0] = [await cpuTicks(api.child.pid!), await commands()];
      clusterS.push(await convert(api.url!, pdf));
      cpuMs.push(((await cpuTicks(api.child.pid!)) - ticks) * 10 / pages);
      cmds.push(((await commands()) - c0) / pages);
    }
    const ppm = (s: number) => Math.round((pages / s) * 600) / 10;
    return {
      pages, rounds, local_2_threads_pages_per_minute: ppm(median(localS)), cluster_2x1_pages_per_minute: ppm(median(clusterS)),
      efficiency: Math.round((median(localS) / median(clusterS)) * 100) / 100,
      api_cpu_ms_per_page: Math.round(median(cpuMs)), redis_commands_per_page: Math.round(median(cmds)),
      rounds_seconds: { local: localS, cluster: clusterS },
    };
  } finally {
    admin.disconnect();
    local.child.kill('SIGTERM');
    await local.exited;
    await stopAll([api, ...workers]);
    await redis.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await clusterBench(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 3))));
}
