import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/**
 * Starts `src/server.ts` as its own process, the way `npm start` does, on a free port, and
 * resolves once it logs that it listens. For tests of signals, crashes and restarts.
 * `command` runs something else that starts the server (e.g. `npm start` itself).
 */
export function spawnServer(
  env: Record<string, string>,
  command: readonly string[] = [process.execPath, '--import', 'tsx', 'src/server.ts'],
): Promise<ServerProcess> {
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    cwd: ROOT,
    env: { ...process.env, API_HOST: '127.0.0.1', API_PORT: '0', NUM_WORKERS: '2', LOG_LEVEL: 'info', PAGE_TIMEOUT_S: '900', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started server behind
      reject(new Error(`server did not start: ${stderr}`));
    }, 300_000); // a deadline for a hung start, not a speed check
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try { entry = JSON.parse(line); } catch { return; }
      logs.push(entry);
      if (entry.msg === 'pagemill listening') {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${entry.port}`, logs, exited });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening: ${stderr}`)); });
  });
}
