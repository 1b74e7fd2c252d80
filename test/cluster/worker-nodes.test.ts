import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scannedPdf } from '../fixtures/pdf-fixtures.js';
import { CLUSTER_SECRET, startApiNode, startRedis, startWorkerNode, stopAll, type NodeProcess } from '../helpers/cluster-processes.js';
import { CLUSTER_WAIT_MS, FAST_STALLS, nodePages, waitForThreads } from '../helpers/backend-targets.js';
import { until } from '../helpers/poll.js';
import { ended as endedAt, resultPages, submit, type Record } from '../helpers/cluster-conversions.js';

const ended = (api: string, id: string) => endedAt(() => api, id);

describe('distributed mode: an API node with --workers 0 and worker nodes on BullMQ (real processes)', () => {
  let root: string;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  let nodes: (NodeProcess | undefined)[] = [];

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-cluster-'));
    redis = await startRedis(path.join(root, 'redis'));
    nodes = [];
  });
  afterEach(async () => {
    await stopAll(nodes);
    await redis?.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('a 3-page scan completes on two worker nodes, every page done once; internal routes need the secret', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    const workers = await Promise.all([1, 2].map((i) => startWorkerNode(redis!.url, api.url!, path.join(root, `w${i}`), FAST_STALLS)));
    nodes.push(...workers);
    await until(async () => {
      const pool = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { worker_threads: number };
      return pool.worker_threads === 2;
    }, 'two worker threads in the pool', CLUSTER_WAIT_MS);
    expect((await fetch(`${api.url}/ready`)).status).toBe(200);

    const id = await submit(api.url!, 'three.pdf', await scannedPdf([['Alpha page one'], ['Beta page two'], ['Gamma page three']], 150));
    const rec = await ended(api.url!, id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 3, pages_completed: 3, pages_failed: 0 });
    expect((await resultPages(root, 'three')).sort()).toEqual([0, 1, 2]);
    const text = await fs.readFile(path.join(root, 'output', 'three', 'three.txt'), 'utf8');
    expect(text).toMatch(/Alpha/);
    expect(text).toMatch(/Gamma/);
    // Each page was started exactly once across the nodes.
    const started = workers.flatMap((w) => w.logs.filter((l) => l.msg === 'page started' && l.conversion_id === id).map((l) => l.page));
    expect(started.sort()).toEqual([1, 2, 3]);

    const wrong = await fetch(`${api.url}/internal/nodes/heartbeat`, {
      method: 'POST', headers: { authorization: 'Bearer not-the-secret', 'content-type': 'application/json' },
      body: JSON.stringify({ node: 'intruder', threads: 64, busy: 0 }),
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe('unauthorized');
    expect(CLUSTER_SECRET.length).toBeGreaterThan(16);
  });

  it('kill -9 of a worker node mid-conversion: the conversion still completes, no page missing or doubled', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    const victim = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w1'), FAST_STALLS);
    const survivor = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w2'), FAST_STALLS);
    nodes.push(victim, survivor);
    await until(async () => {
      const pool = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { worker_threads: number };
      return pool.worker_threads === 2;
    }, 'two worker threads in the pool', CLUSTER_WAIT_MS);
    const pages = Array.from({ length: 6 }, (_, i) => [`Page ${i + 1} of the crash test`, 'with a second line of words']);
    const id = await submit(api.url!, 'crash.pdf', await scannedPdf(pages, 300));
    const mine = (n: NodeProcess, msg: string) => n.logs.filter((l) => l.msg === msg && l.conversion_id === id).map((l) => l.page as number);
    // Killed while it holds a page: one it started and has not returned.
    const held = await until(async () => mine(victim, 'page started').find((p) => !mine(victim, 'page returned').includes(p)), 'a page running on the victim node', CLUSTER_WAIT_MS);
    victim.child.kill('SIGKILL');
    await victim.exited;

    const rec = await ended(api.url!, id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 6, pages_completed: 6, pages_failed: 0 });
    expect((await resultPages(root, 'crash')).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // The page the killed node held was taken over by the other one (BullMQ's stalled-job check).
    expect(mine(survivor, 'page returned')).toContain(held);
  });

  const twoThreads = (api: NodeProcess, threads: number) => waitForThreads(api.url!, threads);
  const mine = nodePages;

  it('SIGTERM on a worker node: its running page goes back to the queue, it exits 0, the other node finishes', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    const leaving = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w1'), { ...FAST_STALLS, SHUTDOWN_TIMEOUT_S: '10' });
    const staying = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w2'), FAST_STALLS);
    nodes.push(leaving, staying);
    await twoThreads(api, 2);
    const pages = Array.from({ length: 6 }, (_, i) => [`Page ${i + 1} of the shutdown test`, 'with a second line of words']);
    const id = await submit(api.url!, 'leave.pdf', await scannedPdf(pages, 300));
    const held = await until(async () => mine(leaving, id, 'page started').find((p) => !mine(leaving, id, 'page returned').includes(p)), 'a page running on the leaving node', CLUSTER_WAIT_MS);
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    expect(mine(leaving, id, 'page handed back')).toContain(held);

    const rec = await ended(api.url!, id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 6, pages_completed: 6, pages_failed: 0 });
    expect((await resultPages(root, 'leave')).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(mine(staying, id, 'page returned')).toContain(held);
  });

  it('worker nodes join and leave while a conversion runs: every page done once', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    const first = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w1'), { ...FAST_STALLS, SHUTDOWN_TIMEOUT_S: '10' });
    nodes.push(first);
    await twoThreads(api, 1);
    const pages = Array.from({ length: 8 }, (_, i) => [`Page ${i + 1} of the join and leave test`, 'with a second line of words']);
    const id = await submit(api.url!, 'churn.pdf', await scannedPdf(pages, 300));
    await until(async () => mine(first, id, 'page returned').length >= 1, 'a page returned by the first node', CLUSTER_WAIT_MS);

    const second = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w2'), FAST_STALLS);
    nodes.push(second);
    await twoThreads(api, 2);
    // The newcomer takes pages of the conversion already under way.
    await until(async () => mine(second, id, 'page started').length >= 1, 'a page started on the newcomer', CLUSTER_WAIT_MS);
    expect(((await (await fetch(`${api.url}/conversions/${id}`)).json()) as Record).status).toBe('processing');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const rec = await ended(api.url!, id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 8, pages_completed: 8, pages_failed: 0 });
    expect((await resultPages(root, 'churn')).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Each page's output was returned by exactly one node, and both nodes did some of the work.
    const returned = [...mine(first, id, 'page returned'), ...mine(second, id, 'page returned')];
    expect(returned.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mine(first, id, 'page returned').length).toBeGreaterThan(0);
    expect(mine(second, id, 'page returned').length).toBeGreaterThan(0);
  });

  it('cancel stops the page running on a worker node; the conversion ends cancelled', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    const worker = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w1'), FAST_STALLS);
    nodes.push(worker);
    await twoThreads(api, 1);
    const pages = Array.from({ length: 4 }, (_, i) => [`Page ${i + 1} to be cancelled`, 'with a second line of words']);
    const id = await submit(api.url!, 'cancel.pdf', await scannedPdf(pages, 300));
    const held = await until(async () => mine(worker, id, 'page started').find((p) => !mine(worker, id, 'page returned').includes(p)), 'a page running on the node', CLUSTER_WAIT_MS);
    const res = await fetch(`${api.url}/conversions/${id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    await until(async () => mine(worker, id, 'page stopped').includes(held), `page ${held} stopped on the node`, 30_000);
    const rec = (await (await fetch(`${api.url}/conversions/${id}`)).json()) as Record;
    expect(rec.status).toBe('cancelled');
    expect(rec.pages_completed).toBeLessThan(4);
  });

  it('/ready is 503 while Redis evicts keys or is unreachable; the pool describes the nodes', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    nodes.push(await startWorkerNode(redis!.url, api.url!, path.join(root, 'w1'), FAST_STALLS));
    await twoThreads(api, 1);
    const pool = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { cluster: { nodes: { threads: number }[] } };
    expect(pool.cluster.nodes.map((n) => n.threads)).toEqual([1]);
    const stats = (await (await fetch(`${api.url}/stats`)).json()) as { workers: { nodes: unknown[] } };
    expect(stats.workers.nodes).toHaveLength(1);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^pagemill_worker_threads 1$/m);
    expect(metrics).toMatch(/^pagemill_cluster_node_threads\{node="[^"]+",state="total"\} 1$/m);
    const readyIs = (status: number) => until(async () => (await fetch(`${api.url}/ready`)).status === status, `/ready ${status}`, 30_000);
    await readyIs(200);

    const admin = new Redis(redis!.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await readyIs(503);
      const body = (await (await fetch(`${api.url}/ready`)).json()) as { checks: { queue: boolean } };
      expect(body.checks.queue).toBe(false);
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await readyIs(200);
    } finally {
      admin.disconnect();
    }
    await redis!.stop();
    redis = undefined;
    await readyIs(503);
  });

  it('a page that kills three worker nodes ends worker_crashed; the rest of the conversion completes', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    const workers = await Promise.all([1, 2, 3, 4].map((i) => startWorkerNode(redis!.url, api.url!, path.join(root, `w${i}`), FAST_STALLS)));
    nodes.push(...workers);
    await twoThreads(api, 4);
    const pages = Array.from({ length: 4 }, (_, i) => [`Page ${i + 1} of the poison test`, 'with a second line of words']);
    const id = await submit(api.url!, 'poison.pdf', await scannedPdf(pages, 300));
    // Page 2 "kills" whichever node runs it: three times (a node that stops spends no attempt;
    // the third loss gives the page up, so it cannot take every node down in turn).
    const killed: NodeProcess[] = [];
    while (killed.length < 3) {
      const runner = await until(async () => workers.find((w) => !killed.includes(w) && mine(w, id, 'page started').includes(2)), 'a live node running page 2', CLUSTER_WAIT_MS);
      runner.child.kill('SIGKILL');
      await runner.exited;
      killed.push(runner);
    }
    const rec = await ended(api.url!, id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 4, pages_completed: 3, pages_failed: 1 });
    const page = (await (await fetch(`${api.url}/conversions/${id}/pages/2`)).json()) as { status: string; error: { code: string; message: string } };
    expect(page.status).toBe('failed');
    expect(page.error).toMatchObject({ code: 'worker_crashed', message: expect.stringMatching(/3 worker nodes stopped/) });
  });

  it('Redis killed and restarted (appendonly): the running conversion completes, no page lost or doubled', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS);
    nodes.push(api);
    const worker = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w1'), FAST_STALLS);
    nodes.push(worker);
    await twoThreads(api, 1);
    const pages = Array.from({ length: 5 }, (_, i) => [`Page ${i + 1} of the Redis restart test`, 'with a second line of words']);
    const id = await submit(api.url!, 'redis.pdf', await scannedPdf(pages, 300));
    await until(async () => mine(worker, id, 'page returned').length >= 1, 'a page returned by the node', CLUSTER_WAIT_MS);
    expect(((await (await fetch(`${api.url}/conversions/${id}`)).json()) as Record).status).toBe('processing');
    const { port } = redis!;
    await redis!.stop();
    redis = await startRedis(path.join(root, 'redis'), port);

    const rec = await ended(api.url!, id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 5, pages_completed: 5, pages_failed: 0 });
    expect((await resultPages(root, 'redis')).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('API node kill -9 and restart: the conversion resumes on the worker nodes and completes', async () => {
    const env = { ...FAST_STALLS, WATCHDOG_INTERVAL_S: '1' };
    const first = await startApiNode(redis!.url, root, env);
    nodes.push(first);
    const port = Number(new URL(first.url!).port);
    const worker = await startWorkerNode(redis!.url, first.url!, path.join(root, 'w1'), FAST_STALLS);
    nodes.push(worker);
    await twoThreads(first, 1);
    const pages = Array.from({ length: 5 }, (_, i) => [`Page ${i + 1} of the API restart test`, 'with a second line of words']);
    const id = await submit(first.url!, 'restart.pdf', await scannedPdf(pages, 300));
    await until(async () => mine(worker, id, 'page returned').length >= 1, 'a page returned by the node', CLUSTER_WAIT_MS);
    expect(((await (await fetch(`${first.url}/conversions/${id}`)).json()) as Record).status).toBe('processing');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startApiNode(redis!.url, root, env, port);
    nodes.push(second);
    const rec = await ended(second.url!, id);
    expect(rec).toMatchObject({ status: 'completed', total_pages: 5, pages_completed: 5, pages_failed: 0 });
    expect((await resultPages(root, 'restart')).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('an API node with --workers 1 runs pages on its own thread too, beside a worker node', async () => {
    const api = await startApiNode(redis!.url, root, FAST_STALLS, 0, 1);
    nodes.push(api);
    await twoThreads(api, 1); // its own thread, before any worker node joins
    const alone = await submit(api.url!, 'alone.pdf', await scannedPdf([['Only the API node'], ['reads these pages']], 150));
    expect(await ended(api.url!, alone)).toMatchObject({ status: 'completed', pages_completed: 2 });
    const worker = await startWorkerNode(redis!.url, api.url!, path.join(root, 'w1'), FAST_STALLS);
    nodes.push(worker);
    await twoThreads(api, 2);
    const pages = Array.from({ length: 6 }, (_, i) => [`Page ${i + 1} shared by both`, 'with a second line of words']);
    const id = await submit(api.url!, 'shared.pdf', await scannedPdf(pages, 300));
    expect(await ended(api.url!, id)).toMatchObject({ status: 'completed', pages_completed: 6, pages_failed: 0 });
    expect((await resultPages(root, 'shared')).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(mine(worker, id, 'page returned').length).toBeGreaterThan(0);
    expect(mine(worker, id, 'page returned').length).toBeLessThan(6);
  });

  it('Bull Board at /admin/queues is read-only and behind an admin API key when keys are on', async () => {
    const key = 'ops-key-0123456789abcdef';
    // Only admin keys may open it (other keys: test/cluster/bull-board-access.test.ts).
    const api = await startApiNode(redis!.url, root, { ...FAST_STALLS, ADMIN_API_KEYS: `ops:${key}` });
    nodes.push(api);
    expect((await fetch(`${api.url}/admin/queues/api/queues`)).status).toBe(401);
    const res = await fetch(`${api.url}/admin/queues/api/queues`, { headers: { 'x-api-key': key } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => [q.name, q.readOnlyMode])).toEqual([['pagemill-pages', true]]);
    const page = await fetch(`${api.url}/admin/queues`, { headers: { 'x-api-key': key } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});
