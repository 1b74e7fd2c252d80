import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { donePage } from '../fakes/fake-execution.js';
import { expectProgressFrames } from '../helpers/expect-schema.js';
import { until } from '../helpers/poll.js';
import { multipart, startTestServer, type TestServer } from '../helpers/test-server.js';

/** While set, pages finish only once it resolves: the test decides when a conversion moves on. */
let hold: Promise<void> | null = null;
function holdPages(): () => void {
  let release!: () => void;
  hold = new Promise((resolve) => (release = resolve));
  return () => {
    hold = null;
    release();
  };
}

let t: TestServer;
let base: string;
beforeAll(async () => {
  // The frames of the real workflow; pages are run by the fake backend.
  t = await startTestServer({}, {
    fake: fakeBackend(async ({ pageNo }) => {
      await hold;
      return donePage(pageNo);
    }),
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address() as { port: number };
  base = `127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await t?.close();
});

type Msg = Record<string, unknown> & { status: string };

/** Opens the progress socket and collects every frame until the server closes it; `onFirst` is told of the first frame. */
function follow(id: string, onFirst: () => void = () => undefined): Promise<{ messages: Msg[]; closeCode: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base}/ws/conversion/${id}`);
    const messages: Msg[] = [];
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      if (messages.length === 1) onFirst();
    });
    ws.on('close', (code) => {
      try {
        expectProgressFrames(messages); // every frame, not one field of it, as the contract says
        resolve({ messages, closeCode: code });
      } catch (err) {
        reject(err);
      }
    });
    ws.on('error', reject);
  });
}

async function submitOverHttp(name: string, data: Buffer): Promise<string> {
  const { payload, headers } = multipart({ name, data });
  const res = await fetch(`http://${base}/convert`, { method: 'POST', body: payload, headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { conversion_id: string }).conversion_id;
}

describe('WS /ws/conversion/:id', () => {
  it('streams a snapshot, one message per page, then completed — and two conversions never mix', async () => {
    // no page finishes before both sockets have their snapshot
    const release = holdPages();
    const [a, b] = await Promise.all([
      submitOverHttp('a.pdf', textPdf([['Alpha page one'], ['Alpha page two'], ['Alpha page three']])),
      submitOverHttp('b.pdf', textPdf([['Bravo page one'], ['Bravo page two']])),
    ]);
    let snapshots = 0;
    const following = Promise.all([follow(a, () => snapshots++), follow(b, () => snapshots++)]);
    await until(() => snapshots === 2, 'both snapshots');
    release();
    const [fa, fb] = await following;

    for (const [f, id, pages] of [[fa, a, 3], [fb, b, 2]] as const) {
      expect(f.closeCode).toBe(1000);
      const [snapshot, ...rest] = f.messages;
      expect(snapshot).toMatchObject({ type: 'snapshot', id, conversion_id: id });
      // every frame belongs to this conversion
      expect(rest.every((m) => m.conversion_id === id)).toBe(true);
      const pageDone = rest.filter((m) => m.step === 'page_done');
      expect(pageDone.length).toBeLessThanOrEqual(pages);
      const last = rest.at(-1)!;
      expect(last).toMatchObject({ status: 'completed', progress: 100 });
      expect(last.results).toHaveLength(pages);
      // progress frames carry the page counters and never go backwards
      const processing = rest.filter((m) => m.status === 'processing');
      expect(processing.at(-1)).toMatchObject({ total_pages: pages });
      const progress = processing.map((m) => m.progress as number);
      expect(progress).toEqual([...progress].sort((x, y) => x - y));
      for (const m of pageDone) {
        expect(m.message).toMatch(new RegExp(`^Processing pages: \\d+/${pages}$`));
        expect(m).toMatchObject({ current_page: expect.any(Number), step: 'page_done', timestamp: expect.any(String) });
      }
    }
  });

  it('gives a late subscriber the snapshot and the end', async () => {
    const id = await submitOverHttp('late.pdf', textPdf([['Late subscriber']]));
    await until(async () => ((await (await fetch(`http://${base}/conversion-status/${id}`)).json()) as { status: string }).status === 'completed', 'the conversion to complete');
    const f = await follow(id);
    expect(f.messages[0]).toMatchObject({ type: 'snapshot', status: 'completed', progress: 100 });
    expect(f.messages.at(-1)).toMatchObject({ status: 'completed', results: [expect.objectContaining({ page_no: 0, source: 'ocr' })] });
    expect(f.closeCode).toBe(1000);
  });

  it('a late subscriber of a conversion whose results file is damaged still gets the end, and the server stays up', async () => {
    const id = await submitOverHttp('damaged-results.pdf', textPdf([['Damaged results']]));
    await until(async () => ((await (await fetch(`http://${base}/conversion-status/${id}`)).json()) as { status: string }).status === 'completed', 'the conversion to complete');
    const { output_stem: stem } = t.runtime.store.get(id)!;
    await fs.appendFile(path.join(t.config.OUTPUT_DIR, `${stem}.jsonl`), '{"cut off by a full disk\n');
    const f = await follow(id);
    expect(f.messages.at(-1)).toMatchObject({ status: 'completed', results: [expect.objectContaining({ page_no: 0 })] });
    expect(f.closeCode).toBe(1000);
    expect((await fetch(`http://${base}/health`)).status).toBe(200);
  });

  it('sends the error frame (status "error", never "failed") for a bad document', async () => {
    const id = await submitOverHttp('bad.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'));
    const f = await follow(id);
    const last = f.messages.at(-1)!;
    expect(last).toMatchObject({ status: 'error', progress: 0, error_code: 'invalid_pdf', error: expect.any(String) });
    expect(f.messages.some((m) => m.status === 'failed')).toBe(false);
  });

  it('answers an unknown id with an error frame and closes', async () => {
    const f = await follow('no-such-id');
    expect(f.messages[0]).toMatchObject({ status: 'error', code: 'conversion_not_found' });
    expect(f.closeCode).toBe(1008);
  });

  it('keeps /worker-pool-status fast while pages run, and its counters return to zero', async () => {
    // the pages run until the status route has seen them running
    const release = holdPages();
    const ids = await Promise.all([
      submitOverHttp('busy1.pdf', textPdf([['One'], ['Two'], ['Three']])),
      submitOverHttp('busy2.pdf', textPdf([['Four'], ['Five'], ['Six']])),
    ]);
    const done = Promise.all(ids.map((id) => follow(id)));
    let sawBusy = false;
    let finished = false;
    void done.then(() => { finished = true; });
    while (!finished) {
      const res = await fetch(`http://${base}/worker-pool-status`);
      const body = (await res.json()) as { active_tasks: number; busy_workers: number; pages_active: number };
      if (body.busy_workers > 0 || body.pages_active > 0) {
        sawBusy = true;
        release();
      }
      expect(body.busy_workers).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sawBusy).toBe(true);
    const idle = (await (await fetch(`http://${base}/worker-pool-status`)).json()) as Record<string, number>;
    expect(idle).toMatchObject({ queue_size: 0, active_tasks: 0, pages_queued: 0, pages_active: 0, busy_workers: 0 });
  });
});
