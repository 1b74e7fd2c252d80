import fs from 'node:fs/promises';
import WebSocket from 'ws';
import { cer } from './cer.js';
import { memoryOf, submit, type ServerProcess } from './server-under-test.js';

export interface PagemillResult {
  pages: number;
  seconds: number;
  pages_per_minute: number;
  submit_ms: number;
  first_page_seconds: number | null;
  cer: number | null;
  peak_rss_mb: number;
  /** Delay between a page's progress message being published and it arriving at the client. */
  ws_delay_ms: { p50: number; p99: number };
}

export const percentile = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
};

type Scorer = (pages: string[], expected: string[]) => number;
const wholeText: Scorer = (pages, expected) => cer(pages.join('\n'), expected.join('\n'));

/**
 * Submits over HTTP and follows the WebSocket until `completed`: pagemill end to end. `seconds`
 * stops there; the result is fetched and scored after.
 */
export async function runPagemill(server: ServerProcess, file: string, expected: string[] | null, fields: Record<string, string> = {}, score: Scorer = wholeText): Promise<PagemillResult> {
  const data = await fs.readFile(file);
  const t0 = performance.now();
  // No `formats`: what a user who names none gets (txt and md written at completion; JSON, hOCR
  // and ALTO made on their first download, which the scoring below does after the clock stops).
  const { id, ms } = await submit(server.url, 'bench.pdf', data, fields);
  let first: number | null = null;
  const delays: number[] = [];
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, memoryOf(server.child.pid!)?.rss_mb ?? 0); }, 250);
  const end = await new Promise<{ status: string; results?: unknown[] }>((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/conversion/${id}`);
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { type?: string; status: string; step?: string; timestamp?: string; results?: unknown[] };
      if (m.type === 'snapshot') return;
      if (m.step === 'page_done' || m.step === 'page_failed') {
        first ??= performance.now();
        if (m.timestamp) delays.push(Date.now() - Date.parse(m.timestamp));
      }
      if (['completed', 'error', 'cancelled'].includes(m.status)) resolve(m);
    });
    ws.on('error', reject);
  });
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  if (end.status !== 'completed') throw new Error(`pagemill ended ${end.status}`);
  let scored: number | null = null;
  if (expected) {
    const json = (await (await fetch(`${server.url}/conversions/${id}/result?format=json`)).json()) as { pages: { text: string }[] };
    scored = score(json.pages.map((p) => p.text), expected);
  }
  const pages = end.results?.length ?? 0;
  return {
    pages, seconds: Math.round(seconds * 100) / 100, pages_per_minute: Math.round((pages / seconds) * 600) / 10, submit_ms: Math.round(ms * 10) / 10,
    first_page_seconds: first === null ? null : Math.round((first - t0) / 100) / 10, cer: scored,
    peak_rss_mb: Math.max(peak, memoryOf(server.child.pid!)?.peak_rss_mb ?? 0), ws_delay_ms: { p50: percentile(delays, 50), p99: percentile(delays, 99) },
  };
}
