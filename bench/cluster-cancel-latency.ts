// How long a cancel takes to stop a page running on a worker node (issue 11 asks for "within 2 s").
// Measured from the moment the client sends the cancel request to the worker node's `page stopped` log
// line (its ISO `time`; same machine, same clock). Measured here, not asserted in a test: the
// test machine is shared and noisy. Standalone: npx tsx bench/cluster-cancel-latency.ts [rounds]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scannedPdf } from '../test/fixtures/pdf-fixtures.js';
import { startApiNode, startRedis, startWorkerNode, stopAll, type NodeProcess } from '../test/helpers/cluster-processes.js';

const until = async <T>(probe: () => T | undefined, ms = 120_000): Promise<T> => {
  for (const end = Date.now() + ms; ;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const logOf = (n: NodeProcess, id: string, msg: string) => n.logs.filter((l) => l.msg === msg && l.conversion_id === id);

export async function cancelLatency(rounds = 5): Promise<{ rounds_ms: number[]; median_ms: number; max_ms: number }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-cancel-bench-'));
  const redis = await startRedis(path.join(root, 'redis'));
  const nodes: NodeProcess[] = [];
  try {
    const api = await startApiNode(redis.url, root);
    nodes.push(api);
    const worker = await startWorkerNode(redis.url, api.url!, path.join(root, 'w1'));
    nodes.push(worker);
    const pdf = await scannedPdf([['A page to cancel', 'with a second line'], ['Another page']], 300);
    const latencies: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(pdf)]), `cancel-${i}.pdf`);
      const { conversion_id: id } = (await (await fetch(`${api.url}/convert`, { method: 'POST', body: form })).json()) as { conversion_id: string };
      const held = await until(() => logOf(worker, id, 'page started').at(-1)?.page as number | undefined);
      await new Promise((r) => setTimeout(r, 700)); // into the page's render/OCR, not at its start
      if (logOf(worker, id, 'page returned').some((l) => l.page === held)) throw new Error('page finished before the cancel');
      const asked = Date.now();
      const res = await fetch(`${api.url}/conversions/${id}/cancel`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`cancel answered ${res.status}`);
      const stopped = await until(() => logOf(worker, id, 'page stopped').find((l) => l.page === held));
      latencies.push(Date.parse(stopped.time as string) - asked);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return { rounds_ms: latencies, median_ms: sorted[Math.floor(sorted.length / 2)]!, max_ms: sorted.at(-1)! };
  } finally {
    await stopAll(nodes);
    await redis.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await cancelLatency(Number(process.argv[2] ?? 5)), null, 2));
}
