// The cluster the chaos run breaks: redis-server, one API node on a fixed port (so it can come back
// where the worker nodes and clients look for it, with the same folders), and three worker nodes
// with one thread each; the third reaches Redis and the API node only through TcpStallProxy, so
// its network can be partitioned without touching the others. Everything binds to 127.0.0.1.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { freePort, startApiNode, startRedis, startWorkerNode, type NodeProcess } from '../test/helpers/cluster-processes.js';
import { TcpStallProxy } from './tcp-stall-proxy.js';

/** Every process started, for the global deadline and Ctrl-C: killed even when nothing else runs. */
const started = new Set<ChildProcess>();
export function killEverything(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
const track = <T extends { child: ChildProcess }>(p: T): T => {
  started.add(p.child);
  return p;
};

export interface WorkerSlot {
  name: string;
  dataDir: string;
  proxied: boolean;
  /** Each start of this node, oldest first; the last is the live one (or the last one killed). */
  lives: NodeProcess[];
}

const alive = (n: NodeProcess | undefined) => !!n && n.child.exitCode === null && n.child.signalCode === null;

/** Waits for a process to end; SIGKILL after `ms` (a hung shutdown is itself a finding). */
async function ended(n: NodeProcess, ms: number): Promise<{ code: number | null; forced: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), ms); });
  const first = await Promise.race([n.exited, late]);
  clearTimeout(timer);
  if (first !== 'late') return { code: first, forced: false };
  n.child.kill('SIGKILL');
  return { code: await n.exited, forced: true };
}

export class ChaosCluster {
  apiLives: NodeProcess[] = [];
  readonly workers: WorkerSlot[];
  private redis!: Awaited<ReturnType<typeof startRedis>>;
  private redisProxy!: TcpStallProxy;
  private apiProxy!: TcpStallProxy;
  private apiPort = 0;

  private constructor(readonly root: string, private readonly env: Record<string, string>) {
    this.workers = [1, 2, 3].map((i) => ({ name: `w${i}`, dataDir: path.join(root, `w${i}`), proxied: i === 3, lives: [] }));
  }

  /** Starts everything and waits until the API node counts all three worker threads. */
  static async start(root: string, env: Record<string, string>): Promise<ChaosCluster> {
    const c = new ChaosCluster(root, env);
    try {
      c.redis = track(await startRedis(path.join(root, 'redis')));
      c.apiPort = await freePort();
      await c.startApi();
      c.redisProxy = new TcpStallProxy(c.redis.port);
      // Calls through it that wait 2 s or more for a first byte back are noted: they tell an API
      // node that does not answer from a proxy that does not forward.
      c.apiProxy = new TcpStallProxy(c.apiPort, 2000);
      await c.redisProxy.listen();
      await c.apiProxy.listen();
      await Promise.all(c.workers.map((w) => c.startWorker(w)));
      if (!(await c.waitForThreads(3, 120_000))) throw new Error('the API node never counted the three worker threads');
      return c;
    } catch (err) {
      await c.stop();
      throw err;
    }
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get api(): NodeProcess {
    return this.apiLives.at(-1)!;
  }

  async startApi(): Promise<void> {
    this.apiLives.push(track(await startApiNode(this.redis.url, this.root, this.env, this.apiPort)));
  }

  /** Stops the API node with `signal` and starts it again on the same port and folders. */
  async restartApi(signal: 'SIGTERM' | 'SIGKILL'): Promise<{ exit_code: number | null; forced: boolean; down_s: number }> {
    const t0 = Date.now();
    this.api.child.kill(signal);
    // SIGTERM lets running pages finish for SHUTDOWN_TIMEOUT_S (30 s): allow that and a margin.
    const { code, forced } = await ended(this.api, 60_000);
    await this.startApi();
    return { exit_code: code, forced, down_s: (Date.now() - t0) / 1000 };
  }

  async startWorker(w: WorkerSlot): Promise<void> {
    const redisUrl = w.proxied ? `redis://127.0.0.1:${this.redisProxy.port}` : this.redis.url;
    const apiUrl = w.proxied ? `http://127.0.0.1:${this.apiProxy.port}` : this.apiUrl;
    w.lives.push(track(await startWorkerNode(redisUrl, apiUrl, w.dataDir, this.env)));
  }

  /** Sends `signal` to a worker node and waits for it to end (SIGKILL after 60 s). */
  async stopWorker(w: WorkerSlot, signal: 'SIGTERM' | 'SIGKILL'): Promise<{ exit_code: number | null; forced: boolean }> {
    const n = w.lives.at(-1)!;
    n.child.kill(signal);
    const { code, forced } = await ended(n, 60_000);
    return { exit_code: code, forced };
  }

  /** Partitions the proxied worker node from Redis and the API node for `ms`. */
  async stall(ms: number): Promise<void> {
    await Promise.all([this.redisProxy.stallFor(ms), this.apiProxy.stallFor(ms)]);
  }

  async waitForThreads(threads: number, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      try {
        const pool = (await (await fetch(`${this.apiUrl}/worker-pool-status`)).json()) as { worker_threads: number };
        if (pool.worker_threads >= threads) return true;
      } catch { /* the API node is restarting */ }
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }

  /** Connections the proxied node opened, and its calls to the API node answered slowly. */
  proxyStats() {
    return { redis_connections: this.redisProxy?.accepted ?? 0, api_connections: this.apiProxy?.accepted ?? 0, api_slow_answers: this.apiProxy?.slow ?? [] };
  }

  /** Every JSON log line of every life of every node, with which node and life wrote it. */
  logs(): { node: string; life: number; entry: Record<string, unknown> }[] {
    const all = [
      ...this.apiLives.map((n, i) => ({ node: 'api', life: i + 1, n })),
      ...this.workers.flatMap((w) => w.lives.map((n, i) => ({ node: w.name, life: i + 1, n }))),
    ];
    return all.flatMap(({ node, life, n }) => n.logs.map((entry) => ({ node, life, entry })));
  }

  /** Writes each life's log lines to root/logs/<node>-<life>.jsonl (kept when a run fails); returns the line counts. */
  async saveLogs(): Promise<Record<string, number>> {
    const dir = path.join(this.root, 'logs');
    await fs.mkdir(dir, { recursive: true });
    const byFile = new Map<string, string[]>();
    for (const { node, life, entry } of this.logs()) {
      const f = `${node}-${life}`;
      let lines = byFile.get(f);
      if (!lines) byFile.set(f, (lines = []));
      lines.push(JSON.stringify(entry));
    }
    for (const [f, lines] of byFile) await fs.writeFile(path.join(dir, `${f}.jsonl`), `${lines.join('\n')}\n`);
    return Object.fromEntries([...byFile].map(([f, lines]) => [f, lines.length]));
  }

  /**
   * Stops everything. Worker nodes and Redis are killed; the API node gets SIGTERM first so its
   * SQLite store is checkpointed before the report reads it.
   */
  async stop(): Promise<void> {
    for (const w of this.workers) {
      const n = w.lives.at(-1);
      if (alive(n)) {
        n!.child.kill('SIGKILL');
        await n!.exited;
      }
    }
    const api = this.apiLives.at(-1);
    if (alive(api)) {
      api!.child.kill('SIGTERM');
      await ended(api!, 40_000);
    }
    await this.redisProxy?.close();
    await this.apiProxy?.close();
    await this.redis?.stop();
    killEverything();
  }
}
