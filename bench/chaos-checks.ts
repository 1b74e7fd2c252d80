// What the chaos run asserts once every conversion has ended: each one completed with all its
// pages, and each page's result is there exactly once — in the JSON document served over HTTP and
// in the .jsonl the API node writes beside the outputs (a page delivered twice after a re-run
// would show up there). Failures are reported per conversion and page, with the code and message
// the API gives, so that a `worker_crashed` page can be traced to the fault that caused it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { apiFetch, type Tracked } from './chaos-workload.js';

export interface Check { name: string; ok: boolean; detail: string }
export interface PageProblem { conversion: string; id: string; page: number | null; code: string; message: string }

interface JsonPage { page_no?: number; status?: string; text?: string; error?: { code?: string } | null }
interface JsonlPage { page_number?: number; page_no?: number; status?: string; error?: { code?: string; message?: string } | null }

const LIST = 12;
const list = (xs: string[]) => (xs.length > LIST ? `${xs.slice(0, LIST).join('; ')}; … ${xs.length - LIST} more` : xs.join('; '));
const check = (name: string, offenders: string[], total: number, what: string): Check => ({
  name, ok: offenders.length === 0, detail: offenders.length ? `${offenders.length} of ${total} ${what}: ${list(offenders)}` : `all ${total} ${what}`,
});

/** Page numbers 1..n each exactly once? Returns what is wrong, e.g. "missing 4, 7; twice 9". */
export function pageSet(seen: number[], n: number): string | null {
  const count = new Map<number, number>();
  for (const p of seen) count.set(p, (count.get(p) ?? 0) + 1);
  const missing: number[] = [];
  const doubled: string[] = [];
  for (let p = 1; p <= n; p++) if (!count.has(p)) missing.push(p);
  for (const [p, c] of count) if (c > 1) doubled.push(`${p} ×${c}`);
  const stray = [...count.keys()].filter((p) => p < 1 || p > n);
  const parts = [
    missing.length ? `missing ${missing.join(', ')}` : '', doubled.length ? `repeated ${doubled.join(', ')}` : '', stray.length ? `out of range ${stray.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : null;
}

export interface Verified {
  checks: Check[];
  problems: PageProblem[];
  heading_mismatches: string[];
  /** The slowest JSON result downloads (made on first download, on the API node's main thread). */
  slowest_json_ms: { conversion: string; ms: number }[];
}

export async function verifyResults(apiUrl: string, outputDir: string, tracked: Tracked[], untilMs: number): Promise<Verified> {
  const downloads: { conversion: string; ms: number }[] = [];
  const problems: PageProblem[] = [];
  const notCompleted: string[] = [];
  const withFailed: string[] = [];
  const wrongCount: string[] = [];
  const badJson: string[] = [];
  const emptyText: string[] = [];
  const badJsonl: string[] = [];
  const headings: string[] = [];
  for (const t of tracked) {
    const name = t.doc.name;
    const rec = t.record;
    const id = t.id ?? '(never accepted)';
    if (!rec || rec.status !== 'completed') {
      notCompleted.push(`${name}: ${rec?.status ?? 'never submitted'}${rec?.error_code ? ` (${rec.error_code}: ${rec.error})` : ''}`);
      problems.push({ conversion: name, id, page: null, code: rec?.error_code ?? rec?.status ?? 'not_submitted', message: rec?.error ?? '' });
    }
    if (!rec || !t.id) continue;
    if (rec.pages_failed !== 0 || rec.failed_pages.length) {
      withFailed.push(`${name}: ${rec.failed_pages.map((f) => `page ${f.page_no} ${f.code} (${f.message})`).join(', ') || `${rec.pages_failed} pages failed`}`);
      for (const f of rec.failed_pages) problems.push({ conversion: name, id, page: f.page_no, code: f.code, message: f.message });
    }
    if (rec.pages_completed !== t.doc.pages || rec.total_pages !== t.doc.pages) {
      wrongCount.push(`${name}: pages_completed ${rec.pages_completed}, total_pages ${rec.total_pages}, expected ${t.doc.pages}`);
    }
    if (rec.status !== 'completed') continue;

    const sent = Date.now();
    const res = await apiFetch(`${apiUrl}/conversions/${t.id}/result?format=json`, undefined, untilMs);
    if (!res.ok) {
      badJson.push(`${name}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    } else {
      const doc = (await res.json()) as { pages?: JsonPage[] };
      downloads.push({ conversion: name, ms: Date.now() - sent });
      const pages = doc.pages ?? [];
      const wrong = pageSet(pages.map((p) => p.page_no ?? -1), t.doc.pages);
      if (wrong) badJson.push(`${name}: ${wrong}`);
      for (const p of pages) {
        if (p.status !== 'done') badJson.push(`${name} page ${p.page_no}: status ${p.status} ${p.error?.code ?? ''}`);
        else if (!p.text?.trim()) emptyText.push(`${name} page ${p.page_no}`);
        // Each generated page starts "Page N of the benchmark": a result filed under the wrong page
        // number would show. OCR at low resolution can misread it, so this is reported, not asserted.
        else if (!new RegExp(`Page\\s*${p.page_no}\\b`).test(p.text)) headings.push(`${name} page ${p.page_no}: "${p.text.split('\n')[0]!.slice(0, 40)}"`);
      }
    }

    const jsonl = await fs.readFile(path.join(outputDir, `${rec.output_stem}.jsonl`), 'utf8').catch(() => null);
    if (jsonl === null) badJsonl.push(`${name}: ${rec.output_stem}.jsonl missing`);
    else {
      const lines = jsonl.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonlPage);
      const wrong = pageSet(lines.map((l) => l.page_number ?? (l.page_no ?? -2) + 1), t.doc.pages);
      if (wrong) badJsonl.push(`${name}: ${wrong}`);
      for (const l of lines) if (l.error) badJsonl.push(`${name} page ${l.page_number}: ${l.error.code} ${l.error.message ?? ''}`);
    }
  }
  const n = tracked.length;
  return {
    checks: [
      check('every conversion completed', notCompleted, n, 'conversions'),
      check('no failed pages (pages_failed 0)', withFailed, n, 'conversions'),
      check('pages_completed = total_pages = page count', wrongCount, n, 'conversions'),
      check('JSON result: pages 1..N exactly once, each done', badJson, n, 'conversions'),
      check('JSON result: every scanned page has text', emptyText, tracked.reduce((k, t) => k + t.doc.pages, 0), 'pages'),
      check('.jsonl: pages 1..N exactly once, none failed', badJsonl, n, 'conversions'),
    ],
    problems,
    heading_mismatches: headings,
    slowest_json_ms: downloads.sort((a, b) => b.ms - a.ms).slice(0, 3),
  };
}
