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
const DIRECT = [process.execPath, '--single-threaded-gc', '--import', 'tsx', 'src/server.ts'];
/** glibc's settings that `npm start` and the `pagemill` command give the server (see package.json). */
export const MALLOC_SETTINGS = { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '262144' };

export function spawnServer(env: Record<string, string>, command: readonly string[] = DIRECT): Promise<ServerProcess> {
  const started = spawnUntilLogged(command, {
    API_HOST: '127.0.0.1', API_PORT: '0', NUM_WORKERS: '2', LOG_LEVEL: 'info', PAGE_TIMEOUT_S: '900',
    ...(command === DIRECT ? MALLOC_SETTINGS : {}), ...env,
  }, 'pagemill listening', 300_000); // a deadline for a hung start, not a speed check
  return started.then(({ child, logs, exited, ready }) => ({ child, url: `http://127.0.0.1:${ready.port}`, logs, exited }));
}

/**
 * Spawns `command` in the project folder with `env` over this process's environment, collects its
 * JSON log lines, and resolves with the first line whose `msg` is `readyMsg`. A process that exits
 * first, or is not ready by `deadlineMs`, rejects with its stderr (and is killed: never leave a
 * half-started server behind).
 */
export function spawnUntilLogged(
  command: readonly string[], env: Record<string, string>, readyMsg: string, deadlineMs: number,
): Promise<{ child: ChildProcess; logs: Record<string, unknown>[]; exited: Promise<number | null>; ready: Record<string, unknown> }> {
  const [file, ...args] = command;
  const child = spawn(file!, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += String(d); });
  // Tests read the logs once the process has ended, and 'exit' can come before the last lines of
  // stdout are read: wait for stdout's end too, but not for ever (a grandchild of `npm start` left
  // behind by a SIGKILL would hold the pipe open).
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    if (child.stdout!.readableEnded) return resolve(code);
    const grace = setTimeout(() => resolve(code), 5000);
    child.stdout!.once('end', () => {
      clearTimeout(grace);
      resolve(code);
    });
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command.join(' ')} was not ready in time: ${stderr}`));
    }, deadlineMs);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try { entry = JSON.parse(line) as Record<string, unknown>; } catch { return; }
      logs.push(entry);
      if (entry.msg === readyMsg) {
        clearTimeout(timer);
        resolve({ child, logs, exited, ready: entry });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`${command.join(' ')} exited (${code}) before it was ready: ${stderr}`)); });
  });
}
