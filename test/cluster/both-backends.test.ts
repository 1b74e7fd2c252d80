import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { scannedPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { spawnServer } from '../helpers/server-process.js';
import { startApiNode, startRedis, startWorkerNode, stopAll, type NodeProcess } from '../helpers/cluster-processes.js';

/** One behavioural suite, run against the local backend and the BullMQ cluster (real processes both). */
interface Target { url: string; stop(): Promise<void> }

async function localTarget(root: string): Promise<Target> {
  const s = await spawnServer({
    NUM_WORKERS: '1', OCR_ENGINE: 'wasm', RENDER_DPI: '150',
    DATA_DIR: path.join(root, 'data'), INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'),
  });
  return { url: s.url, async stop() { s.child.kill('SIGKILL'); await s.exited; } };
}

async function clusterTarget(root: string): Promise<Target> {
  const redis = await startRedis(path.join(root, 'redis'));
  const nodes: NodeProcess[] = [];
  try {
    const api = await startApiNode(redis.url, root);
    nodes.push(api);
    nodes.push(await startWorkerNode(redis.url, api.url!, path.join(root, 'w1')));
    for (let end = Date.now() + 60_000; ;) {
      const pool = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { worker_threads: number };
      if (pool.worker_threads === 1) break;
      if (Date.now() > end) throw new Error('the worker node never joined');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url: api.url!, async stop() { await stopAll(nodes); await redis.stop(); } };
  } catch (err) {
    await stopAll(nodes);
    await redis.stop();
    throw err;
  }
}

type Frame = Record<string, unknown> & { status: string; step?: string; type?: string };
function follow(url: string, id: string): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/conversion/${id}`);
    const frames: Frame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
    ws.on('close', () => resolve(frames));
    ws.on('error', reject);
  });
}

async function submit(url: string, name: string, pdf: Buffer, fields: Record<string, string> = {}): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}/convert`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { conversion_id: string }).conversion_id;
}

describe.each([
  ['local', localTarget],
  ['BullMQ cluster', clusterTarget],
])('the same behaviour on the %s backend', (_name, start) => {
  let root: string;
  let target: Target;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-both-'));
    target = await start(root);
  });
  afterAll(async () => {
    await target?.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('submit → one progress frame per page → completed; a late subscriber gets the same completed frame', async () => {
    const id = await submit(target.url, 'three.pdf', await scannedPdf([['Alpha one'], ['Bravo two'], ['Charlie three']], 150));
    const live = await follow(target.url, id);
    const pageFrames = live.filter((f) => f.step === 'page_done');
    expect(pageFrames).toHaveLength(3);
    const end = live.at(-1)!;
    expect(end.status).toBe('completed');
    const late = await follow(target.url, id);
    expect(late.filter((f) => f.type !== 'snapshot').at(-1)).toEqual(end);
  });

  it('a page range converts only the pages it selects (born-digital page)', async () => {
    const id = await submit(target.url, 'mixed.pdf', textPdf([['Born digital text'], ['Second digital page']]), { pages: '2' });
    const frames = await follow(target.url, id);
    const end = frames.at(-1)!;
    expect(end).toMatchObject({ status: 'completed' });
    expect((end.results as unknown[]).length).toBe(1);
  });

  it('cancel: a running conversion ends cancelled and no later page frame arrives', async () => {
    const pages = Array.from({ length: 5 }, (_, i) => [`Page ${i + 1} to cancel`, 'with a second line of words']);
    const id = await submit(target.url, 'cancel.pdf', await scannedPdf(pages, 300));
    const framesP = follow(target.url, id);
    for (let end = Date.now() + 60_000; ;) {
      const rec = (await (await fetch(`${target.url}/conversions/${id}`)).json()) as { status: string };
      if (rec.status === 'processing') break;
      if (Date.now() > end) throw new Error('never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await fetch(`${target.url}/conversions/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    const frames = await framesP;
    const at = frames.findIndex((f) => f.status === 'cancelled');
    expect(at).toBeGreaterThan(-1);
    expect(frames.slice(at + 1).filter((f) => f.step === 'page_done')).toEqual([]);
    const rec = (await (await fetch(`${target.url}/conversions/${id}`)).json()) as { status: string; pages_completed: number };
    expect(rec.status).toBe('cancelled');
    expect(rec.pages_completed).toBeLessThan(5);
  });
});
