import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { spawnUntilLogged } from './server-process.js';
import readline from 'node:readline';

export const CLUSTER_SECRET = 'test-cluster-secret-0123456789';

export interface NodeProcess {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  url?: string;
}

/** A port nobody listens on right now (the kernel's pick, released for the child to take). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Its own redis-server on a free loopback port, configured as the README says. A machine without
 * redis-server fails the test: distributed mode is not optional under CI.
 */
export async function startRedis(
  dir: string, fixedPort?: number, extraArgs: string[] = [],
): Promise<{ url: string; port: number; stop(): Promise<void>; child: ChildProcess }> {
  const port = fixedPort ?? (await freePort());
  await fs.mkdir(dir, { recursive: true });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--maxmemory-policy', 'noeviction', '--dir', dir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`redis-server could not start (install Debian's redis-server): ${err.message}`)));
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 20_000);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error('redis-server exited while starting')));
  });
  return {
    url: `redis://127.0.0.1:${port}`, port, child,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function spawnNode(args: string[], env: Record<string, string>, readyMsg: string): Promise<NodeProcess> {
  const { child, logs, exited, ready } = await spawnUntilLogged([process.execPath, 'bin/pagemill.mjs', ...args], {
    LOG_LEVEL: 'info', CLUSTER_SECRET, OCR_ENGINE: 'wasm', RENDER_DPI: '150', ...env,
  }, readyMsg, 90_000);
  return { child, logs, exited, url: ready.port ? `http://127.0.0.1:${String(ready.port)}` : undefined };
}

/** `pagemill serve --redis URL --workers 0` (or `workers`), on a free port, with its own folders under `root`. */
export function startApiNode(redisUrl: string, root: string, env: Record<string, string> = {}, port = 0, workers = 0): Promise<NodeProcess> {
  return spawnNode(['serve', '--redis', redisUrl, '--workers', String(workers), '--host', '127.0.0.1', '--port', String(port)], {
    DATA_DIR: path.join(root, 'api-data'), INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'), ...env,
  }, 'pagemill listening');
}

/** `pagemill worker --redis URL --api URL --workers 1`, with its own DATA_DIR. */
export function startWorkerNode(redisUrl: string, apiUrl: string, dataDir: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  return spawnNode(['worker', '--redis', redisUrl, '--api', apiUrl, '--workers', '1'], { DATA_DIR: dataDir, ...env }, 'worker node started');
}

export async function stopAll(nodes: (NodeProcess | undefined)[]): Promise<void> {
  for (const n of nodes) {
    if (!n || n.child.exitCode !== null || n.child.signalCode !== null) continue;
    n.child.kill('SIGKILL');
    await n.exited;
  }
}
