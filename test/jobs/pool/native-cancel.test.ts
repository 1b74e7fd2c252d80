import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeTesseractVersion } from '../../../src/languages/ocr-engine-choice.js';
import { scannedPdf } from '../../fixtures/pdf-fixtures.js';
import { pageTexts } from '../../../bench/documents.js';
import { until } from '../../helpers/poll.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

const hasNative = process.platform === 'linux' && (await nativeTesseractVersion()) !== null;

/**
 * Running tesseract processes started by this process (its pool threads) that have used at least
 * `minCpuTicks` of CPU: past reading their image from stdin, into recognition.
 */
async function tesseractChildren(minCpuTicks = 0): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
    if (!m || m[1] !== 'tesseract' || 'ZX'.includes(m[2]!) || Number(m[3]) !== process.pid) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[11]) + Number(fields[12]) >= minCpuTicks) pids.push(Number(name));
  }
  return pids;
}

let t: TestServer;
beforeAll(async () => {
  if (hasNative) t = await startTestServer({ OCR_ENGINE: 'native', RENDER_DPI: 400, NUM_WORKERS: 1 });
});
afterAll(async () => t?.close());

describe.runIf(hasNative)('cancelling a conversion on the native engine', () => {
  it('kills the tesseract process reading its page', async () => {
    const pdf = await scannedPdf(pageTexts(3, 40), 300);
    const { body } = await submitFile(t.app, 'long.pdf', pdf, { formats: 'txt' });
    // In recognition, not still reading stdin: a thread that dies then would cut its input short.
    const running = await until(async () => {
      const pids = await tesseractChildren(50);
      return pids.length > 0 ? pids : undefined;
    }, 'a tesseract process in recognition', 30_000, 50);
    expect(running.length).toBeGreaterThan(0);
    const cancel = await t.app.inject({ method: 'POST', url: `/conversions/${body.conversion_id}/cancel` });
    expect(cancel.statusCode).toBe(200);
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('cancelled');
    // an empty list is truthy: until resolves once none of the cancelled page's processes runs
    const left = await until(async () => {
      const pids = await tesseractChildren();
      return pids.some((p) => running.includes(p)) ? undefined : pids;
    }, 'the cancelled page\'s tesseract processes gone', 10_000, 50);
    expect(left.filter((p) => running.includes(p))).toEqual([]);
    // Its thread is gone and nobody reaps it: the zombie's wait status says how it ended.
    // SIGKILL (9) is the runner's kill; SIGPIPE (13) or 0 would mean it ran on until it wrote or finished.
    for (const pid of running) {
      const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
      if (stat) expect(Number(stat.trim().split(' ').at(-1)) & 0x7f).toBe(9);
    }
  });
});
