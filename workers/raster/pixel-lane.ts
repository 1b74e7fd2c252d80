import v8 from 'node:v8';
import vm from 'node:vm';
import { threadId, workerData } from 'node:worker_threads';

/**
 * One lane, shared by every thread of a pool, through which a page's pixels are obtained: the
 * images pdf.js decodes and the canvas it draws into. Only one thread at a time holds them; the
 * others wait there, not in the OCR that follows, which is where pages spend most of their time.
 *
 * Why: decoding a scan costs up to ~6 bytes a pixel before it is reduced to the grey image OCR
 * reads (a 9000×9000 RGB page: ~600 MB), so two threads decoding two such pages at once doubled
 * the peak. Through the lane the peak is one decode plus the grey images of the pages being read.
 *
 * The lane is an Int32 in a SharedArrayBuffer holding the holder's threadId (0: free). A thread
 * stopped while holding it (a page timeout terminates it; a heap overflow ends it) cannot give it
 * back, so the pool does (`releaseLaneIfHolderGone` after each workerDestroy): the lane is never lost.
 */
export interface PixelLaneData { pixelLane?: SharedArrayBuffer }

export function createPixelLane(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

/**
 * Frees the lane if its holder is not among the pool's live threads. Not "if the stopped thread
 * held it": a thread that ended by itself (out of heap) no longer knows its id (Node sets it to -1).
 */
export function releaseLaneIfHolderGone(lane: SharedArrayBuffer, liveThreadIds: readonly number[]): void {
  const word = new Int32Array(lane);
  const holder = Atomics.load(word, 0);
  if (holder !== 0 && !liveThreadIds.includes(holder) && Atomics.compareExchange(word, 0, holder, 0) === holder) Atomics.notify(word, 0);
}

/** A re-check now and then, in case a wake-up is missed: a waiter never depends on one notify. */
const RECHECK_MS = 1000;

/** ES2024's Atomics.waitAsync (Node ≥ 16), which this project's TypeScript lib does not declare yet. */
const waitAsync = (Atomics as unknown as {
  waitAsync(this: void, a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

function laneWord(): Int32Array | null {
  const lane = (workerData as PixelLaneData | undefined)?.pixelLane;
  return lane ? new Int32Array(lane) : null;
}

/**
 * Runs `use` holding the lane. Without a lane (a pool made without one, the CLI's tests) it just
 * runs. Re-entrant calls from the same thread would deadlock, so there are none: callers are the
 * two places pixels are obtained (page-pixels.ts for PDFs, image-page.ts for images).
 */
export async function throughPixelLane<T>(use: () => Promise<T>): Promise<T> {
  const word = laneWord();
  if (!word) return use();
  for (;;) {
    const holder = Atomics.compareExchange(word, 0, 0, threadId);
    if (holder === 0) break;
    const waited = waitAsync(word, 0, holder, RECHECK_MS);
    if (!waited.async) continue;
    // A waitAsync promise does not keep the thread's event loop alive: without this timer a
    // thread with nothing else pending would exit while waiting its turn.
    const alive = setTimeout(() => undefined, RECHECK_MS);
    try {
      await waited.value;
    } finally {
      clearTimeout(alive);
    }
  }
  try {
    return await use();
  } finally {
    Atomics.compareExchange(word, 0, threadId, 0);
    Atomics.notify(word, 0);
  }
}

/** Pixels above which a page's decode is followed by a full collection before the lane opens. */
export const COLLECT_AFTER_PIXELS = 16e6;

let gc: (() => void) | null = null;
/**
 * A full garbage collection of this thread. The buffers of a big decode are garbage once the
 * page's caches are dropped, but V8 frees them at its own pace: measured on two 81 MP pages, the
 * second decode began while the first's ~500 MB were still held (peak 1.17 GB instead of ~0.85).
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
