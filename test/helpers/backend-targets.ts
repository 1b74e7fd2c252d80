import path from 'node:path';
import Database from 'better-sqlite3';
import { until } from './poll.js';
import { spawnServer, type ServerProcess } from './server-process.js';
import { startApiNode, startRedis, startWorkerNode, stopAll, type NodeProcess } from './cluster-processes.js';

/**
 * One pagemill deployment under test, local or BullMQ cluster, all real processes. The faults are
 * the same in kind on both: `crashPageRunner` kill -9s the process running a page of the conversion
 * and brings a page runner back; `killOwner` kill -9s the process that owns the conversion records,
 * `startOwner` starts it again on the same DATA_DIR. Locally both are the one server process.
 */
export interface Target {
  url: string;
  /** The owner's SQLite file, to check attempts and finish times across crashes. */
  db: string;
  /** Returns the page that was running when its process was killed. */
  crashPageRunner(id: string): Promise<number>;
  /**
   * What that crash costs the page once it is done. Locally the process that died ran the page, so
   * it could be the cause: an attempt (the rerun is the second). A worker node that died is
   * counted apart (node_losses): it spends no attempt of a page that is healthy.
   */
  crashCost: { attempts: number; node_losses: number };
  killOwner(): Promise<void>;
  startOwner(): Promise<void>;
  stop(): Promise<void>;
}

export interface PageRow { page_no: number; status: string; attempts: number; node_losses: number; finished_at: string | null }
export function pageRows(db: string, id: string): PageRow[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare('SELECT page_no, status, attempts, node_losses, finished_at FROM pages WHERE conversion_id = ? ORDER BY page_no').all(id) as PageRow[];
  } finally {
    conn.close();
  }
}

/** The deadline of waits on real processes and Redis (a hung test, not a speed check). */
export const CLUSTER_WAIT_MS = 90_000;

export async function localTarget(root: string): Promise<Target> {
  const env = {
    NUM_WORKERS: '1', OCR_ENGINE: 'wasm', RENDER_DPI: '150',
    DATA_DIR: path.join(root, 'data'), INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'),
  };
  let server: ServerProcess = await spawnServer(env);
  const kill = async () => { server.child.kill('SIGKILL'); await server.exited; };
  const target: Target = {
    url: server.url,
    db: path.join(env.DATA_DIR, 'pagemill.db'),
    async crashPageRunner(id) {
      // page numbers start at 1: a found page is truthy
      const held = await until(() => pageRows(target.db, id).find((p) => p.status === 'running')?.page_no, 'a page of the conversion running', CLUSTER_WAIT_MS);
      await kill();
      await target.startOwner();
      return held;
    },
    crashCost: { attempts: 2, node_losses: 0 },
    killOwner: kill,
    async startOwner() {
      server = await spawnServer(env);
      target.url = server.url;
    },
    stop: kill,
  };
  return target;
}

// Short locks so a killed node's page is taken over in seconds (defaults: 30 s each, see README).
export const FAST_STALLS = { CLUSTER_LOCK_MS: '2000', CLUSTER_STALLED_INTERVAL_MS: '1000' };

export async function waitForThreads(url: string, threads: number): Promise<void> {
  await until(async () => {
    const pool = (await (await fetch(`${url}/worker-pool-status`)).json()) as { worker_threads: number };
    return pool.worker_threads === threads;
  }, `${threads} worker threads in the pool`, CLUSTER_WAIT_MS);
}

/** Pages a worker node logged `msg` for ('page started', 'page returned', …) in one conversion. */
export const nodePages = (n: NodeProcess, id: string, msg: string) =>
  n.logs.filter((l) => l.msg === msg && l.conversion_id === id).map((l) => l.page as number);

export async function clusterTarget(root: string): Promise<Target> {
  const redis = await startRedis(path.join(root, 'redis'));
  const apiEnv = { ...FAST_STALLS, WATCHDOG_INTERVAL_S: '1' };
  const nodes: NodeProcess[] = [];
  let api: NodeProcess;
  let worker: NodeProcess;
  let workerNo = 0;
  const addWorker = async () => {
    worker = await startWorkerNode(redis.url, api.url!, path.join(root, `w${++workerNo}`), FAST_STALLS);
    nodes.push(worker);
    await waitForThreads(api.url!, 1);
  };
  try {
    api = await startApiNode(redis.url, root, apiEnv);
    nodes.push(api);
    await addWorker();
  } catch (err) {
    await stopAll(nodes);
    await redis.stop();
    throw err;
  }
  const port = Number(new URL(api.url!).port);
  const target: Target = {
    url: api.url!,
    db: path.join(root, 'api-data', 'pagemill.db'),
    async crashPageRunner(id) {
      const held = await until(() => nodePages(worker, id, 'page started').find((p) => !nodePages(worker, id, 'page returned').includes(p)), 'a page running on the worker node', CLUSTER_WAIT_MS);
      worker.child.kill('SIGKILL');
      await worker.exited;
      await addWorker();
      return held;
    },
    crashCost: { attempts: 0, node_losses: 1 },
    async killOwner() {
      api.child.kill('SIGKILL');
      await api.exited;
    },
    async startOwner() {
      // The same port: worker nodes were told this API's address.
      api = await startApiNode(redis.url, root, apiEnv, port);
      nodes.push(api);
    },
    async stop() { await stopAll(nodes); await redis.stop(); },
  };
  return target;
}
