import fs from 'node:fs';
import os from 'node:os';

/**
 * How much lower than the server's own thread the pool threads run (a nice value; Linux nice is
 * per thread). The HTTP thread needs little CPU but needs it at once: with both cores busy
 * recognizing pages, an equal share made POST /convert wait behind OCR (p99 ≈ 50 ms under full
 * load). Lower-priority pool threads lose no throughput — nothing else wants the CPU — and
 * threads they start (tesseract.js's own worker) inherit the value.
 */
const POOL_THREAD_NICE = 10;

let lowered = false;

/** Lowers this thread's scheduling priority once; a no-op where threads have no ids of their own. */
export function runAtPoolPriority(): void {
  if (lowered) return;
  lowered = true;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, POOL_THREAD_NICE);
  } catch {
    // Not Linux, or /proc not mounted: the pool keeps normal priority.
  }
}
