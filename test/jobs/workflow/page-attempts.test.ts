import fs from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConversionService } from '../../../src/jobs/workflow/conversion-service.js';
import type { ConversionStore } from '../../../src/jobs/contracts/conversion-store.js';
import { parseConvertOptions } from '../../../src/intake/convert-options.js';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { FAKE_LANGUAGES, fakeBackend } from '../../fakes/fake-backend.js';
import { crashed, donePage, untilStopped, type PageScript } from '../../fakes/fake-execution.js';
import { until } from '../../helpers/poll.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-attempts-');
afterAll(() => temp.cleanup());

/** The conversion workflow on the fake backend (a real SQLite store and real folders), with pages run by a script. */
async function startService(root: string, script: PageScript) {
  const config = loadConfig({
    overrides: { INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'), DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'silent' },
  });
  await fs.mkdir(path.join(config.DATA_DIR, 'uploads'), { recursive: true });
  const { execution, build } = fakeBackend(script);
  const { backend } = await build(config);
  const service = new ConversionService(config, backend, FAKE_LANGUAGES, pino({ level: 'silent' }));
  await service.operations.resume();
  return { service, store: backend.store, execution, config };
}

async function submit(s: Awaited<ReturnType<typeof startService>>): Promise<string> {
  const tmpPath = path.join(s.config.DATA_DIR, `upload-${Math.random().toString(16).slice(2)}`);
  await fs.writeFile(tmpPath, textPdf([['one'], ['two'], ['three']]));
  const options = parseConvertOptions({ prompt_mode: 'prompt_ocr' }, ['eng'], false);
  return (await s.service.admission.submit({ upload: { tmpPath, originalName: 'doc.pdf' }, options })).conversion_id;
}

const ended = (s: Awaited<ReturnType<typeof startService>>, id: string) =>
  until(() => { const r = s.store.get(id); return r && ['completed', 'error', 'cancelled'].includes(r.status) ? r : undefined; }, 'conversion ended', 20_000);
const pageRow = (s: Awaited<ReturnType<typeof startService>>, id: string, n: number) => s.store.page(id, n)!;

describe('what a page\'s tries cost', () => {
  it('a worker node that stops under a page spends no attempt: the page goes to another node and completes', async () => {
    const s = await startService(await temp.make(), ({ pageNo, run }) => (pageNo === 2 && run === 1 ? crashed(true) : donePage(pageNo)));
    const id = await submit(s);
    expect(await ended(s, id)).toMatchObject({ status: 'completed', pages_done: 3, pages_failed: 0 });
    expect(pageRow(s, id, 2)).toMatchObject({ status: 'done', attempts: 0, node_losses: 1 });
  });

  it('a page under which three worker nodes stopped is given up with worker_crashed; its siblings complete', async () => {
    const s = await startService(await temp.make(), ({ pageNo }) => (pageNo === 2 ? crashed(true) : donePage(pageNo)));
    const id = await submit(s);
    expect(await ended(s, id)).toMatchObject({ status: 'completed', pages_done: 2, pages_failed: 1 });
    expect(pageRow(s, id, 2)).toMatchObject({ status: 'failed', error_code: 'worker_crashed', attempts: 0, node_losses: 3 });
    expect(pageRow(s, id, 2).error).toMatch(/3 worker nodes stopped/);
    expect(s.execution.calls.filter((c) => c.pageNo === 2)).toHaveLength(3);
  });

  it('a thread that dies on a worker node spends an attempt: retried once, the second death fails the page', async () => {
    const s = await startService(await temp.make(), ({ pageNo }) => (pageNo === 1 ? crashed() : donePage(pageNo)));
    const id = await submit(s);
    expect(await ended(s, id)).toMatchObject({ status: 'completed', pages_done: 2, pages_failed: 1 });
    expect(pageRow(s, id, 1)).toMatchObject({ status: 'failed', error_code: 'worker_crashed', attempts: 2, node_losses: 0 });
    expect(s.execution.calls.filter((c) => c.pageNo === 1)).toHaveLength(2);
  });

  it('a page run in this process is charged once per run, before it starts, not again when its thread dies', async () => {
    const seen: number[] = [];
    const ref: { store?: ConversionStore } = {};
    const s = await startService(await temp.make(), ({ pageNo, run, inProcess }) => {
      inProcess();
      if (pageNo !== 1) return donePage(pageNo);
      // charged before the run starts: a crash of the process now would find it counted
      const { store } = ref;
      seen.push(store!.pages(store!.list({ limit: 1, offset: 0 }).items[0]!.id)[0]!.attempts);
      return run === 1 ? crashed() : donePage(pageNo);
    });
    ref.store = s.store;
    const id = await submit(s);
    expect(await ended(s, id)).toMatchObject({ status: 'completed', pages_done: 3 });
    expect(seen).toEqual([1, 2]);
    expect(pageRow(s, id, 1).attempts).toBe(2);
  });

  it('a shutdown that stops a page running in this process refunds its try; the next start completes it', async () => {
    const root = await temp.make();
    const a = await startService(root, ({ pageNo, signal, inProcess }) => {
      inProcess();
      return pageNo === 2 ? untilStopped(signal) : donePage(pageNo);
    });
    const id = await submit(a);
    await until(() => a.store.page(id, 2)?.status === 'running' && a.store.page(id, 3)?.status === 'done', 'page 2 running');
    await a.service.operations.shutdown(0);
    expect(pageRow(a, id, 2)).toMatchObject({ status: 'queued', attempts: 0 });
    a.store.close();

    const b = await startService(root, ({ pageNo, inProcess }) => { inProcess(); return donePage(pageNo); });
    expect(await ended(b, id)).toMatchObject({ status: 'completed', pages_done: 3, pages_failed: 0 });
    expect(pageRow(b, id, 2).attempts).toBe(1);
    b.store.close();
  });

  it('two crashes of the API node while a worker node runs a page do not give the page up', async () => {
    const root = await temp.make();
    // The page is on a worker node (never in this process) when the API node dies, twice.
    const hang: PageScript = ({ pageNo }) => (pageNo === 2 ? new Promise(() => undefined) : donePage(pageNo));
    const lives = [await startService(root, hang)];
    const id = await submit(lives[0]!);
    for (let crash = 0; crash < 2; crash++) {
      const life = lives.at(-1)!;
      await until(() => life.store.page(id, 2)?.status === 'running' && life.store.page(id, 3)?.status === 'done', 'page 2 running');
      // kill -9: nothing is shut down; the next life starts on the same database
      lives.push(await startService(root, crash === 0 ? hang : ({ pageNo }) => donePage(pageNo)));
    }
    const last = lives.at(-1)!;
    expect(await ended(last, id)).toMatchObject({ status: 'completed', pages_done: 3, pages_failed: 0 });
    expect(pageRow(last, id, 2)).toMatchObject({ status: 'done', attempts: 0, node_losses: 0 });
    for (const life of lives) life.store.close();
  });

  it('a page that was running in this process during two crashes is given up, not replayed', async () => {
    const root = await temp.make();
    const hangHere: PageScript = ({ pageNo, inProcess }) => { inProcess(); return pageNo === 2 ? new Promise(() => undefined) : donePage(pageNo); };
    const lives = [await startService(root, hangHere)];
    const id = await submit(lives[0]!);
    for (let crash = 0; crash < 2; crash++) {
      const life = lives.at(-1)!;
      await until(() => life.store.page(id, 2)?.status === 'running' && life.store.page(id, 3)?.status === 'done', 'page 2 running');
      lives.push(await startService(root, hangHere));
    }
    const last = lives.at(-1)!;
    expect(await ended(last, id)).toMatchObject({ status: 'completed', pages_done: 2, pages_failed: 1 });
    expect(pageRow(last, id, 2)).toMatchObject({ status: 'failed', error_code: 'worker_crashed', attempts: 2 });
    expect(last.execution.calls.filter((c) => c.pageNo === 2)).toEqual([]);
    for (const life of lives) life.store.close();
  });
});
