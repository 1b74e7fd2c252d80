import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { MALLOC_SETTINGS, spawnServer } from './helpers/server-process.js';
import { allExited, descendants, isAlive } from './helpers/process-tree.js';
import { tempDirs } from './helpers/temp-dirs.js';

/**
 * A process manager or container signals the process it started — `npm start` — not the node
 * process below it. The server must still drain and exit, leaving nothing behind. (`npx pagemill`
 * cannot promise this: npm runs it through a shell of its own, which dies alone.)
 */
const temp = tempDirs('pagemill-npm-start-');
const GRACE_S = 2;
let started: number[] = [];

afterEach(async () => {
  // an orphaned server (the bug) must not outlive the test
  for (const pid of started.filter(isAlive)) process.kill(pid, 'SIGKILL');
  started = [];
  await temp.cleanup();
});

async function portClosed(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    return false;
  } catch {
    return true;
  }
}

const STARTERS: [name: string, command: string[]][] = [
  ['npm start', ['npm', 'start', '--silent']],
  // the installed `pagemill` bin is this script, run by node itself
  ['pagemill serve', [process.execPath, 'bin/pagemill.mjs', 'serve']],
];

/** The command line and environment of the node process among `pids` that runs the server. */
function serverProcess(pids: number[]): { argv: string[]; env: Record<string, string> } {
  const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const server = pids.find((pid) => cmdline(pid).some((arg) => /server\.ts|pagemill\.mjs/.test(arg)))!;
  const raw = fs.readFileSync(`/proc/${server}/environ`, 'utf8');
  const env = Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { argv: cmdline(server), env };
}

describe.each(STARTERS)('%s', (_name, command) => {
  it('runs the server with glibc settings that give memory back, and V8\'s collector on the threads that allocate', async () => {
    expect(process.env.MALLOC_ARENA_MAX, 'the test runner must not set it itself').toBeUndefined();
    expect(process.execArgv, 'nor the flag').not.toContain('--single-threaded-gc');
    const server = await spawnServer({ ...(await temp.serverDirs()), NUM_WORKERS: '1' }, command);
    const mainPid = server.child.pid!;
    started = [mainPid, ...descendants(mainPid)];
    const { argv, env } = serverProcess(started);
    expect(env).toMatchObject(MALLOC_SETTINGS);
    expect(argv).toContain('--single-threaded-gc');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });


  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`ends the server gracefully when ${signal} is sent to the process it started`, async () => {
      const env = { ...(await temp.serverDirs()), NUM_WORKERS: '1', SHUTDOWN_TIMEOUT_S: String(GRACE_S) };
      const server = await spawnServer(env, command);
      const mainPid = server.child.pid!;
      started = [mainPid, ...descendants(mainPid)];
      expect((await fetch(`${server.url}/health`)).status).toBe(200);

      server.child.kill(signal);

      // generous margin over the grace period: the machine may be busy; this is a deadline, not a speed check
      expect(await allExited(started, (GRACE_S + 120) * 1000), 'every process it started has exited').toBe(true);
      expect(await server.exited).toBe(0);
      expect(await portClosed(server.url)).toBe(true);
      expect(server.logs.find((l) => l.msg?.toString().startsWith('shutting down'))).toMatchObject({ signal });
      expect(server.logs.some((l) => l.msg === 'shutdown complete')).toBe(true);
    });
  }
});
