import pino from 'pino';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createPixelLane, releaseLaneIfHolderGone } from '../../../workers/raster/pixel-lane.js';
import { cyclicPatternPdf } from '../../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

/** Real threads through one lane, as the pool's threads go (the pool passes the lane as workerData). */
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

function start(pixelLane: SharedArrayBuffer, shared: { inside: SharedArrayBuffer; maxInside: SharedArrayBuffer }, rounds: number, hold = false) {
  const worker = new Worker(new URL('./lane-worker.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'], workerData: { pixelLane, ...shared, rounds, hold },
  });
  workers.push(worker);
  const messages: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: string) => { messages.push(m); if (m === 'done') resolve(); });
    worker.on('error', reject);
  });
  const entered = new Promise<void>((resolve) => worker.on('message', (m) => m === 'inside' && resolve()));
  return { worker, done, entered, messages };
}

const counters = () => ({ inside: new SharedArrayBuffer(4), maxInside: new SharedArrayBuffer(4) });

describe('the pixel lane', () => {
  it('lets one thread at a time obtain pixels, and every thread gets its turns', async () => {
    const lane = createPixelLane();
    const shared = counters();
    const threads = [start(lane, shared, 20), start(lane, shared, 20), start(lane, shared, 20)];
    await Promise.all(threads.map((t) => t.done));
    expect(new Int32Array(shared.maxInside)[0]).toBe(1);
    for (const t of threads) expect(t.messages.filter((m) => m === 'inside')).toHaveLength(20);
    expect(new Int32Array(lane)[0]).toBe(0);
  });

  it('is given back when the thread holding it is stopped (a page timeout terminates the thread)', async () => {
    const lane = createPixelLane();
    const shared = counters();
    const holder = start(lane, shared, 1, true);
    await holder.entered;
    const id = holder.worker.threadId;
    expect(new Int32Array(lane)[0]).toBe(id);
    const waiter = start(lane, shared, 1);
    await holder.worker.terminate();
    expect(holder.worker.threadId, 'a stopped thread no longer knows its id').toBe(-1);
    expect(waiter.messages).not.toContain('inside');
    releaseLaneIfHolderGone(lane, [waiter.worker.threadId]); // what the pool does after workerDestroy
    await waiter.done;
    expect(new Int32Array(lane)[0]).toBe(0);
  });

  it('is not taken from a live holder', () => {
    const lane = createPixelLane();
    new Int32Array(lane)[0] = 7;
    releaseLaneIfHolderGone(lane, [7, 8]);
    expect(new Int32Array(lane)[0]).toBe(7);
  });
});

describe('a pool thread that dies while decoding', () => {
  let t: TestServer;
  afterEach(async () => t?.close());

  it('does not leave the lane held: the retry runs, and the conversion ends', async () => {
    // a pattern that draws itself: pdf.js grows its heap until the 64 MB limit ends the thread,
    // inside the lane; the retry must get the lane (it waited forever when the lane went with the thread)
    // The heap watchdog ends the thread before V8's own limit, which for some allocations aborts
    // the whole process instead (nodejs/node#47224; this test's process died of it once).
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    t = await startTestServer({ WORKER_MAX_HEAP_MB: 64, PAGE_TIMEOUT_S: 900 }, { logger });
    const { body } = await submitFile(t.app, 'cycle.pdf', cyclicPatternPdf());
    const rec = await waitForEnd(t.app, body.conversion_id as string, 120_000);
    expect(rec).toMatchObject({ status: 'error', error_code: 'worker_crashed' });
    expect(lines.some((l) => l.includes('its JS heap neared WORKER_MAX_HEAP_MB'))).toBe(true);
  });
});
