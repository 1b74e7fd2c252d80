import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scannedPdf } from '../fixtures/pdf-fixtures.js';
import { freePort, startApiNode, startRedis, startWorkerNode, stopAll, type NodeProcess } from '../helpers/cluster-processes.js';
import { CLUSTER_WAIT_MS, FAST_STALLS, nodePages, pageRows, waitForThreads } from '../helpers/backend-targets.js';
import { until } from '../helpers/poll.js';
import { ended, resultPages, submit } from '../helpers/cluster-conversions.js';

/**
 * Faults that must cost a cluster nothing: nodes sharing a folder, misconfigured nodes, restarts of
 * the API node, a Redis that forbids CONFIG. Real processes on loopback, as README's Scale out runs them.
 */
const scan = (n: number, what: string) => scannedPdf(Array.from({ length: n }, (_, i) => [`Page ${i + 1} of the ${what} test`, 'with a second line of words']), 150);
const running = (w: NodeProcess, id: string) => nodePages(w, id, 'page started').find((p) => !nodePages(w, id, 'page returned').includes(p));

describe('a cluster whose nodes misbehave loses no page and spends no attempt', () => {
  let root: string;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let nodes: NodeProcess[] = [];

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-faults-'));
    redis = await startRedis(path.join(root, 'redis'));
    nodes = [];
  });
  afterEach(async () => {
    await stopAll(nodes);
    await redis.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  const apiNode = async (env: Record<string, string> = {}, port = 0, redisUrl = redis.url) => {
    const api = await startApiNode(redisUrl, root, { ...FAST_STALLS, ...env }, port);
    nodes.push(api);
    return api;
  };
  const workerNode = async (api: string, dataDir: string, env: Record<string, string> = {}) => {
    const w = await startWorkerNode(redis.url, api, dataDir, { ...FAST_STALLS, SHUTDOWN_TIMEOUT_S: '10', ...env });
    nodes.push(w);
    return w;
  };

  it('two worker nodes started from one DATA_DIR: one stopping or starting takes nothing from the other', async () => {
    const api = await apiNode();
    const shared = path.join(root, 'shared-data');
    const [first, second] = [await workerNode(api.url!, shared), await workerNode(api.url!, shared)];
    await waitForThreads(api.url!, 2);
    const a = await submit(api.url!, 'before.pdf', await scan(4, 'shared folder'));
    expect(await ended(() => api.url!, a)).toMatchObject({ status: 'completed', pages_completed: 4, pages_failed: 0 });

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const b = await submit(api.url!, 'after.pdf', await scan(3, 'left alone'));
    // a third node starts from the same folder while the second works
    await until(() => running(second, b), 'a page of the second conversion running on the second node', CLUSTER_WAIT_MS);
    const third = await workerNode(api.url!, shared);
    expect(await ended(() => api.url!, b)).toMatchObject({ status: 'completed', pages_completed: 3, pages_failed: 0 });
    expect((await resultPages(root, 'after')).sort()).toEqual([0, 1, 2]);
    for (const w of [second, third]) expect(JSON.stringify(w.logs)).not.toMatch(/ENOENT/);
  });

  it('a node with a wrong --api and a node with a wrong CLUSTER_SECRET take no pages, say why, and the good node does them all', async () => {
    const api = await apiNode();
    const good = await workerNode(api.url!, path.join(root, 'good'));
    const nowhere = await workerNode(`http://127.0.0.1:${await freePort()}`, path.join(root, 'nowhere'));
    const refused = await workerNode(api.url!, path.join(root, 'refused'), { CLUSTER_SECRET: 'a-wrong-secret-of-valid-length' });
    await waitForThreads(api.url!, 1);
    const pool = await until(async () => {
      const p = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { cluster: { nodes: unknown[]; refused: { address: string }[] } };
      return p.cluster.refused.length > 0 ? p : undefined;
    }, 'a refused node listed', CLUSTER_WAIT_MS);
    expect(pool.cluster.refused).toEqual([{ address: '127.0.0.1', last_seen: expect.any(String) }]);
    expect(pool.cluster.nodes).toHaveLength(1);

    const id = await submit(api.url!, 'twelve.pdf', await scan(12, 'misconfigured'));
    expect(await ended(() => api.url!, id)).toMatchObject({ status: 'completed', pages_completed: 12, pages_failed: 0 });
    expect(nodePages(good, id, 'page returned').sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const bad of [nowhere, refused]) {
      expect(bad.logs.filter((l) => l.msg === 'page started')).toEqual([]);
      expect(bad.logs.some((l) => typeof l.msg === 'string' && l.msg.includes('takes no pages'))).toBe(true);
    }
    expect(refused.logs.some((l) => l.level === 50 && String(l.msg).includes('CLUSTER_SECRET'))).toBe(true);
    expect(pageRows(path.join(root, 'api-data', 'pagemill.db'), id).every((p) => p.attempts === 0 && p.node_losses === 0)).toBe(true);
  });

  it('two restarts of the API node (SIGTERM, then kill -9) while worker nodes run its pages: none given up, no attempt spent', async () => {
    const port = await freePort();
    const env = { SHUTDOWN_TIMEOUT_S: '1', WATCHDOG_INTERVAL_S: '1' };
    let api = await apiNode(env, port);
    const url = api.url!;
    const workers = [await workerNode(url, path.join(root, 'w1')), await workerNode(url, path.join(root, 'w2'))];
    await waitForThreads(url, 2);
    const id = await submit(url, 'restarts.pdf', await scannedPdf(Array.from({ length: 8 }, (_, i) => [`Page ${i + 1} of the restart test`, 'with more words']), 300));
    const restarts: string[] = [];
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const seen = workers.flatMap((w) => nodePages(w, id, 'page returned')).length;
      // Stopped while a worker node has a page of it, and after it has returned at least one more.
      await until(() => workers.some((w) => running(w, id)) && workers.flatMap((w) => nodePages(w, id, 'page returned')).length > seen, 'a page running and one more returned', CLUSTER_WAIT_MS);
      api.child.kill(signal);
      await api.exited;
      restarts.push(signal);
      api = await apiNode(env, port);
    }
    expect(restarts).toEqual(['SIGTERM', 'SIGKILL']);
    expect(await ended(() => url, id)).toMatchObject({ status: 'completed', total_pages: 8, pages_completed: 8, pages_failed: 0 });
    expect((await resultPages(root, 'restarts')).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pageRows(path.join(root, 'api-data', 'pagemill.db'), id).map((p) => [p.attempts, p.node_losses])).toEqual(Array(8).fill([0, 0]));
  });

  it('a node whose threads crash on every page quarantines itself, shows so in the pool, and costs no page anything', async () => {
    const api = await apiNode();
    const good = await workerNode(api.url!, path.join(root, 'good'));
    // language data that tesseract cannot load: every page's thread dies on this node
    const garbage = path.join(root, 'garbage-tessdata');
    await fs.mkdir(garbage);
    await fs.writeFile(path.join(garbage, 'eng.traineddata'), Buffer.alloc(5000, 'x'));
    const broken = await workerNode(api.url!, path.join(root, 'broken'), { TESSDATA_DIR: garbage });
    await waitForThreads(api.url!, 2);
    const id = await submit(api.url!, 'six.pdf', await scan(6, 'quarantine'));
    const quarantined = await until(async () => {
      const pool = (await (await fetch(`${api.url}/worker-pool-status`)).json()) as { worker_threads: number; cluster: { nodes: { state: string; reason?: string }[] } };
      return pool.cluster.nodes.find((n) => n.state === 'quarantined') ? pool : undefined;
    }, 'a quarantined node', CLUSTER_WAIT_MS);
    expect(quarantined.worker_threads).toBe(1);
    expect(quarantined.cluster.nodes.find((n) => n.state === 'quarantined')!.reason).toMatch(/pages in a row failed with (worker_crashed|ocr_failed)/);
    expect(await ended(() => api.url!, id)).toMatchObject({ status: 'completed', pages_completed: 6, pages_failed: 0 });
    expect(nodePages(good, id, 'page returned').sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(broken.logs.some((l) => l.msg === 'worker node quarantined: it hands its pages back and takes none for a while')).toBe(true);
    expect(pageRows(path.join(root, 'api-data', 'pagemill.db'), id).every((p) => p.attempts === 0 && p.node_losses === 0)).toBe(true);
  });

  it('/ready on a Redis that forbids CONFIG: the eviction policy is read from INFO, not taken for "unreachable"', async () => {
    const forbids = (policy: string, name: string) => startRedis(path.join(root, name), undefined, ['--rename-command', 'CONFIG', '', '--maxmemory-policy', policy]);
    const fine = await forbids('noeviction', 'fine');
    const evicting = await forbids('allkeys-lru', 'evicting');
    try {
      const ok = await apiNode({}, 0, fine.url);
      await until(async () => (await fetch(`${ok.url}/ready`)).status === 200, '/ready 200 on the fine node', 30_000);
      const bad = await startApiNode(evicting.url, path.join(root, 'b'), FAST_STALLS);
      nodes.push(bad);
      const body = await until(async () => {
        const res = await fetch(`${bad.url}/ready`);
        return res.status === 503 ? ((await res.json()) as { reason?: string }) : undefined;
      }, '/ready 503 on the evicting node', 30_000);
      expect(body.reason).toMatch(/allkeys-lru/);
    } finally {
      await fine.stop();
      await evicting.stop();
    }
  });
});
