import { parentPort, workerData } from 'node:worker_threads';
import { throughPixelLane } from '../../../workers/raster/pixel-lane.js';

/**
 * A pool thread stand-in for pixel-lane.test.ts: takes the lane `rounds` times, counting in a
 * shared word how many threads are inside at once. `hold: true` takes it once and never lets go.
 */
const { inside, maxInside, rounds, hold } = workerData as { inside: SharedArrayBuffer; maxInside: SharedArrayBuffer; rounds: number; hold?: boolean };
const now = new Int32Array(inside);
const most = new Int32Array(maxInside);

for (let i = 0; i < rounds; i++) {
  await throughPixelLane(async () => {
    const n = Atomics.add(now, 0, 1) + 1;
    for (let m = Atomics.load(most, 0); n > m; m = Atomics.load(most, 0)) Atomics.compareExchange(most, 0, m, n);
    parentPort!.postMessage('inside');
    await new Promise((r) => setTimeout(r, hold ? 3_600_000 : 5));
    Atomics.sub(now, 0, 1);
  });
}
parentPort!.postMessage('done');
