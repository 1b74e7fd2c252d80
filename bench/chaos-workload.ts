// The chaos run's workload: one long scanned document submitted first and small ones submitted on
// a fixed schedule after it, so that faults late in the run still hit short conversions and not
// only the long one (the fair scheduler would otherwise finish every small document early).
// Every request to the API node retries while it is down: restarting it is one of the faults.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeScanned } from './documents.js';

export interface ChaosDoc {
  name: string;
  pages: number;
  pdf: Buffer;
  /** Seconds after the run's start when it is submitted. */
  submitAtS: number;
}

export interface FailedPage { page_no: number; code: string; message: string }
export interface ConversionRecordLite {
  status: string;
  total_pages: number | null;
  pages_completed: number;
  pages_failed: number;
  failed_pages: FailedPage[];
  error: string | null;
  error_code: string | null;
  output_stem: string;
  created_at: string;
  completed_at: string | null;
}

export interface Tracked { doc: ChaosDoc; id?: string; record?: ConversionRecordLite }

/** `missing`: the API node answered 404 for a conversion it had accepted (it lost it). */
const TERMINAL = ['completed', 'error', 'cancelled', 'missing'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The long document, then `smallDocs` of 1, 2, 3, 1, 2, 3… pages, one every `spacingS` seconds. */
export async function makeWorkload(dir: string, bigPages: number, smallDocs: number, spacingS: number, dpi: number): Promise<ChaosDoc[]> {
  const look = { skewDegrees: 0.7, specksPerPage: 400 };
  const file = (n: string) => path.join(dir, n);
  await writeScanned(file('big.pdf'), bigPages, dpi, look);
  const small = new Map<number, Buffer>();
  for (const n of [1, 2, 3]) {
    await writeScanned(file(`small-${n}.pdf`), n, dpi, look);
    small.set(n, await fs.readFile(file(`small-${n}.pdf`)));
  }
  const docs: ChaosDoc[] = [{ name: 'big', pages: bigPages, pdf: await fs.readFile(file('big.pdf')), submitAtS: 0 }];
  for (let i = 0; i < smallDocs; i++) {
    const pages = 1 + (i % 3);
    docs.push({ name: `small-${String(i + 1).padStart(2, '0')}`, pages, pdf: small.get(pages)!, submitAtS: (i + 1) * spacingS });
  }
  return docs;
}

/**
 * `fetch` that waits out an API node restart: connection errors and 502/503 are retried every
 * 500 ms until `untilMs` (a POST is only retried with an Idempotency-Key, so never doubled).
 */
export async function apiFetch(url: string, init: RequestInit | undefined, untilMs: number, answeredIn?: (ms: number) => void): Promise<Response> {
  for (;;) {
    try {
      const sent = Date.now();
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      answeredIn?.(Date.now() - sent); // the attempt that got an answer, not the retries before it
      if (res.status !== 502 && res.status !== 503) return res;
      await res.body?.cancel();
    } catch (err) {
      if (Date.now() >= untilMs) throw err;
    }
    if (Date.now() >= untilMs) throw new Error(`${url}: the API node did not answer in time`);
    await sleep(500);
  }
}

export class WorkloadRun {
  readonly tracked: Tracked[];
  readonly totalPages: number;
  /** Date.now() when the first document was submitted. */
  t0 = 0;
  /** run() has returned: every conversion ended, or it gave up waiting. */
  finished = false;
  /**
   * Status reads the API node took over a second to answer (one attempt; retries across a restart
   * not counted): a blocked event loop there also delays worker nodes' heartbeats and results.
   */
  readonly slowReads: { t_s: number; ms: number }[] = [];

  constructor(private readonly apiUrl: string, docs: ChaosDoc[], private readonly runId: string, private readonly untilMs: number) {
    this.tracked = docs.map((doc) => ({ doc }));
    this.totalPages = docs.reduce((n, d) => n + d.pages, 0);
  }

  /** Submits every document at its time; resolves when the last one is accepted. */
  async submitAll(): Promise<void> {
    this.t0 = Date.now();
    await Promise.all(this.tracked.map(async (t) => {
      await sleep(t.doc.submitAtS * 1000);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(t.doc.pdf)]), `${t.doc.name}.pdf`);
      const res = await apiFetch(`${this.apiUrl}/convert`, {
        method: 'POST', body: form, headers: { 'idempotency-key': `${this.runId}-${t.doc.name}` },
      }, this.untilMs);
      if (res.status !== 200) throw new Error(`POST /convert ${t.doc.name}: HTTP ${res.status} ${await res.text()}`);
      t.id = ((await res.json()) as { conversion_id: string }).conversion_id;
    }));
  }

  /** Pages ended (done or failed) over the workload's pages, 0–1: what the fault schedule follows. */
  progress(): number {
    const ended = this.tracked.reduce((n, t) => n + (t.record ? t.record.pages_completed + t.record.pages_failed : 0), 0);
    return ended / this.totalPages;
  }

  allEnded(): boolean {
    return this.tracked.every((t) => t.record && TERMINAL.includes(t.record.status));
  }

  /** Refreshes every submitted conversion that has not ended. */
  async poll(): Promise<void> {
    for (const t of this.tracked) {
      if (!t.id || (t.record && TERMINAL.includes(t.record.status))) continue;
      const res = await apiFetch(`${this.apiUrl}/conversions/${t.id}`, undefined, this.untilMs, (ms) => {
        if (ms > 1000) this.slowReads.push({ t_s: Math.round((Date.now() - ms - this.t0) / 100) / 10, ms });
      });
      if (res.ok) t.record = (await res.json()) as ConversionRecordLite;
      else if (res.status === 404) {
        await res.body?.cancel();
        t.record = {
          status: 'missing', total_pages: null, pages_completed: 0, pages_failed: 0, failed_pages: [], error: 'GET /conversions/:id answered 404',
          error_code: null, output_stem: t.doc.name, created_at: '', completed_at: null,
        };
      } else await res.body?.cancel();
    }
  }

  /**
   * Submits on schedule and polls once a second until every conversion has ended, or until
   * `waitUntilMs`: then it returns the conversions still unfinished (with where they stand).
   */
  async run(waitUntilMs: number): Promise<string[]> {
    try {
      return await this.follow(waitUntilMs);
    } finally {
      this.finished = true;
    }
  }

  private async follow(waitUntilMs: number): Promise<string[]> {
    let submitted = false;
    const submitting = this.submitAll().then(() => { submitted = true; });
    while (!submitted || !this.allEnded()) {
      if (Date.now() > waitUntilMs) {
        submitting.catch(() => undefined);
        return this.tracked.filter((t) => !t.record || !TERMINAL.includes(t.record.status)).map((t) => (t.record
          ? `${t.doc.name} ${t.record.status} ${t.record.pages_completed}+${t.record.pages_failed}/${t.record.total_pages ?? '?'} pages`
          : `${t.doc.name} ${t.id ? 'never polled' : 'not accepted'}`));
      }
      // Once a second; sooner when the last submission lands (then `submitting` is settled and
      // racing it would spin).
      await (submitted ? sleep(1000) : Promise.race([sleep(1000), submitting]));
      await this.poll();
    }
    await submitting;
    return [];
  }

  /** Seconds from the first submission to the last conversion's end (the API node's clock, same machine). */
  seconds(): number {
    const last = Math.max(...this.tracked.map((t) => Date.parse(t.record?.completed_at ?? '') || Date.now()));
    return Math.round((last - this.t0) / 100) / 10;
  }
}
