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
 * The thread starts on first use and never keeps the process alive when it has nothing to do; if it
 * dies, what was pending fails (as a write error would) and the next request starts a new one.
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

class FileWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

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
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, steps });
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
      if (this.pending.size === 0) worker.unref();
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
}

/** The process's file writer: one thread, so that writes to one file keep their order. */
export const fileWriter = new FileWriter();
