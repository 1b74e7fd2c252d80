import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { OcrChildren } from '../../../src/jobs/pool/ocr-children.js';
import { OCR_CHILDREN_CHANNEL } from '../../../src/schemas/page-result.js';
import { until } from '../../helpers/poll.js';

/** Running, not a zombie and not gone. */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && !/^\d+ \(.*\) [ZX]/.test(stat);
}

/** A thread that starts a long-lived process, announces it as a pool thread does, and then spins (as a busy WASM call would). */
async function threadWithChild(taskId: string): Promise<{ worker: Worker; pid: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-children-'));
  const script = path.join(dir, 'thread.mjs');
  await fs.writeFile(script, `
    import { spawn } from 'node:child_process';
    import { parentPort } from 'node:worker_threads';
    const child = spawn('sleep', ['120'], { stdio: 'ignore' });
    new BroadcastChannel(${JSON.stringify(OCR_CHILDREN_CHANNEL)}).postMessage({ task_id: ${JSON.stringify(taskId)}, pid: child.pid });
    parentPort.postMessage(child.pid);
    setTimeout(() => { for (;;); }, 100);
  `);
  const worker = new Worker(script);
  const pid = await new Promise<number>((resolve) => worker.once('message', resolve));
  await fs.rm(dir, { recursive: true, force: true });
  return { worker, pid };
}

describe.runIf(process.platform === 'linux')('OCR child processes of stopped tasks', () => {
  it('are killed when the task is stopped, though its thread is terminated and cannot', async () => {
    const children = new OcrChildren();
    try {
      children.begin('task-a');
      const { worker, pid } = await threadWithChild('task-a');
      expect(await alive(pid)).toBe(true);
      await new Promise((r) => setTimeout(r, 200)); // the announcement crosses threads
      await worker.terminate();
      expect(await alive(pid)).toBe(true); // terminating the thread alone leaves it running
      children.end('task-a', true);
      await until(async () => !(await alive(pid)), `the child ${pid} gone`, 10_000);
    } finally {
      children.close();
    }
  });

  it('are left alone when the task ends normally; a stopped task kills what it announces late', async () => {
    const children = new OcrChildren();
    const pids: number[] = [];
    try {
      children.begin('task-b');
      const b = await threadWithChild('task-b');
      pids.push(b.pid);
      await new Promise((r) => setTimeout(r, 200));
      children.end('task-b', false);
      await b.worker.terminate();
      expect(await alive(b.pid)).toBe(true);

      children.begin('task-c');
      children.end('task-c', true); // stopped before its thread announced anything
      const c = await threadWithChild('task-c');
      pids.push(c.pid);
      await c.worker.terminate();
      await until(async () => !(await alive(c.pid)), `the child ${c.pid} gone`, 10_000);
    } finally {
      children.close();
      for (const pid of pids) await Promise.resolve().then(() => process.kill(pid, 'SIGKILL')).catch(() => undefined);
    }
  });
});
