import { Worker } from 'node:worker_threads';

/**
 * Writes files (and reads many at once) on a thread of its own (file-writer-thread.mjs), with
 * synchronous fs calls there.
 * A finished page is written as about fourteen fs operations (open, write, close, rename…); as
 * promises each one is a round trip through libuv's thread pool, and on a born-digital document
 * those round trips cost more CPU than the writes: per 252-page conversion, libuv's threads spent
 * 0.7–1.1 s and the main thread's share of the hops was more still. Here a page is two messages.
 * The main thread never blocks on the disk: a slow disk holds this thread, not the event loop.
 *
 * The thread starts on first use, never keeps the process alive when it has nothing to do, and
 * stops after IDLE_STOP_MS without work; if it dies, what was pending fails (with no errno code:
 * a page then fails with `storage_error`'s fallback message) and the next request starts a new one.
 */
export type FileStep =
  /** `data` under `file`, made under a temporary name and renamed into place: readers never see half a file. */
  | { op: 'write'; file: string; data: string | Uint8Array }
  /** `file` as a second name of `existing` (no copy, no new inode), placed the same way; `data` written instead where hard links fail. */
  | { op: 'link'; existing: string; file: string; data?: string | Uint8Array }
  /** A page log record appended after the log's first `end` bytes (see page-log.ts). */
  | { op: 'append'; file: string; page: number; json: string; end: number }
  /** The file's bytes (`length` of them from `at`, or all of it); null when it cannot be read. */
  | { op: 'read'; file: string; at?: number; length?: number };

export type AppendResult = { shrunk: true } | { headLength: number; length: number };

interface Pending { resolve(results: unknown[]): void; reject(err: Error): void }

/** An idle thread is stopped after this long, giving back its heap (~10–30 MB); the next request starts one. */
const IDLE_STOP_MS = 15_000;

class FileWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  /** Runs `steps` in order, after every request made before; the first failure rejects with its errno code. */
  run(steps: FileStep[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      let worker: Worker;
      try {
        worker = this.thread();
      } catch (err) {
        return reject(err as Error);
      }
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      if (this.idleTimer) clearTimeout(this.idleTimer);
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, steps: steps.map(ownBytes) });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // No `--import tsx` and the like from the parent: the thread is plain JavaScript.
    const worker = new Worker(new URL('./file-writer-thread.mjs', import.meta.url), { execArgv: [] });
    worker.unref();
    worker.on('message', ({ id, results, error }: { id: number; results?: unknown[]; error?: { message: string; code?: string; syscall?: string; path?: string } }) => {
      const request = this.pending.get(id);
      if (!request) return;
      this.pending.delete(id);
      if (this.pending.size === 0) this.idle(worker);
      if (error) request.reject(Object.assign(new Error(error.message), { code: error.code, syscall: error.syscall, path: error.path }));
      else request.resolve(results!);
    });
    const stopped = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const failed = [...this.pending.values()];
      this.pending.clear();
      for (const request of failed) request.reject(new Error(`The file writer thread stopped (${reason}).`));
    };
    worker.on('error', (err) => stopped(err.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** Nothing pending: the thread no longer keeps the process alive, and stops if nothing comes. */
  private idle(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = null;
      void worker.terminate();
    }, IDLE_STOP_MS);
    this.idleTimer.unref();
  }
}

/**
 * A step whose bytes are a view into a larger buffer (a page from a worker node is a view into its
 * request's body) carries a copy of its own: posting the view would copy the whole buffer.
 */
function ownBytes(step: FileStep): FileStep {
  if (!('data' in step) || !(step.data instanceof Uint8Array) || step.data.byteLength === step.data.buffer.byteLength) return step;
  return { ...step, data: step.data.slice() };
}

/** The process's file writer: one thread, so that writes to one file keep their order. */
export const fileWriter = new FileWriter();
