// The chaos run's results: everything as JSON, and a short Markdown summary (checks, faults, the
// failed pages with their codes, attempts, redone work, time against the run without faults),
// both under bench/results/<timestamp>-chaos.{json,md} like the other bench reports.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AttemptsReport, NotableLine, PageRunsReport } from './chaos-analysis.js';
import type { Check, PageProblem } from './chaos-checks.js';
import type { ChaosCluster } from './chaos-cluster.js';
import type { FaultRecord } from './chaos-faults.js';

export interface RunReport {
  name: 'with faults' | 'without faults';
  seconds: number | null;
  pages: number;
  conversions: number;
  pages_per_minute: number | null;
  checks: Check[];
  problems: PageProblem[];
  /** Pages whose text does not start with their own "Page N" heading (OCR misreads; not asserted). */
  heading_mismatches: { count: number; first: string[] };
  faults: FaultRecord[];
  attempts: AttemptsReport | { error: string };
  page_runs: PageRunsReport | null;
  /** API responsiveness: status reads over 1 s during the run, the slowest JSON result downloads after. */
  api_latency: { slow_status_reads: { t_s: number; ms: number }[]; slowest_json_ms: { conversion: string; ms: number }[] } | null;
  /** The proxied worker node's connections, and its calls the API node was slow (≥ 2 s) to answer. */
  proxy: ReturnType<ChaosCluster['proxyStats']> | null;
  notable_logs: { counts: Record<string, number>; first: NotableLine[] } | null;
  /** JSON log lines per node life (saved under kept_root/logs when the run fails). */
  log_lines: Record<string, number> | null;
  /** Set when the run failed: its folders and every node's logs are kept there. */
  kept_root?: string;
  error?: string;
}

export interface ChaosReport {
  date: string;
  machine: { cpus: number; memory_gb: number; node: string };
  settings: Record<string, string | number | boolean>;
  ok: boolean;
  failed: string[];
  runs: RunReport[];
  /** Time with faults over time without. */
  time_ratio: number | null;
}

/** Every reason the run fails: checks not met, faults that misbehaved or never fired, errors. */
export function failures(run: RunReport): string[] {
  return [
    ...(run.error ? [`${run.name}: ${run.error}`] : []),
    ...run.checks.filter((c) => !c.ok).map((c) => `${run.name}: ${c.name} — ${c.detail}`),
    ...run.faults.filter((f) => !f.ok).map((f) => `${run.name}: fault ${f.fault} ${f.target} — ${f.skipped ?? String(f.detail.problem ?? 'not ok')}`),
  ];
}

const cell = (s: unknown) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function runSection(r: RunReport): string[] {
  const out = [
    `## ${r.name}: ${r.seconds ?? '–'} s, ${r.pages} pages in ${r.conversions} conversions (${r.pages_per_minute ?? '–'} pages/min)`, '',
    ...(r.error ? [`**Error:** ${r.error}`, ''] : []),
    '| check | | detail |', '|---|---|---|',
    ...r.checks.map((c) => `| ${cell(c.name)} | ${c.ok ? 'ok' : '**FAILED**'} | ${cell(c.detail)} |`), '',
  ];
  if (r.faults.length) {
    out.push('| t (s) | fault | target | progress | ok | what it hit |', '|---|---|---|---|---|---|');
    for (const f of r.faults) {
      const hit = f.skipped ?? JSON.stringify({ ...f.detail, three_threads_again_t_s: undefined });
      out.push(`| ${f.t_s}–${f.done_t_s} | ${f.fault} | ${f.target} | ${Math.round(f.at_progress * 100)} % | ${f.ok ? 'ok' : '**no**'} | ${cell(hit)} |`);
    }
    out.push('');
  }
  if (r.problems.length) {
    out.push('Failed conversions and pages:', '', '| conversion | page | code | message |', '|---|---|---|---|');
    for (const p of r.problems.slice(0, 40)) out.push(`| ${p.conversion} (${p.id}) | ${p.page ?? '–'} | ${p.code} | ${cell(p.message)} |`);
    if (r.problems.length > 40) out.push(`| … ${r.problems.length - 40} more | | | |`);
    out.push('');
  }
  if ('distribution' in r.attempts) {
    const byStatus = Object.entries(r.attempts.by_status).map(([s, d]) => `${s}: ${Object.entries(d).map(([a, n]) => `${n}×${a}`).join(', ')}`).join('; ');
    out.push(`Attempts in the API node's store (pages.attempts): ${byStatus}.`);
    const odd = r.attempts.unusual.slice(0, 15).map((p) => `${p.conversion}#${p.page} ${p.status} attempts ${p.attempts}${p.error_code ? ` ${p.error_code}` : ''}`);
    if (odd.length) out.push(`Pages not done or with attempts ≠ ${r.attempts.usual} (the usual value): ${odd.join('; ')}${r.attempts.unusual.length > 15 ? '; …' : ''}.`);
  } else {
    out.push(`Attempts: could not read the store (${r.attempts.error}).`);
  }
  if (r.page_runs) {
    const pr = r.page_runs;
    out.push(`Page runs on the worker nodes: ${pr.page_runs} for ${pr.pages} pages (${pr.redone_runs} redone${pr.redone_pages.length ? `: ${pr.redone_pages.slice(0, 12).map((p) => `${p.conversion}#${p.page} on ${p.runs.join(', ')}`).join('; ')}${pr.redone_pages.length > 12 ? '; …' : ''}` : ''}).`);
    out.push(`Worker-node log messages: ${Object.entries(pr.worker_events).map(([k, n]) => `${cell(k)} ×${n}`).join(', ')}.`);
    out.push(`API-node log messages: ${Object.entries(pr.api_events).map(([k, n]) => `${cell(k)} ×${n}`).join(', ')}.`);
  }
  if (r.proxy?.api_slow_answers.length) {
    out.push(`Calls of the proxied node that the API node took ≥ 2 s to answer (stalls excluded): ${r.proxy.api_slow_answers.map((a) => `${a.at.slice(11, 19)} ${a.waited_ms} ms${a.answered ? '' : ' unanswered'}`).join(', ')}.`);
  }
  if (r.api_latency) {
    const reads = r.api_latency.slow_status_reads;
    out.push(`API node latency: ${reads.length} status reads took over 1 s${reads.length ? ` (slowest ${Math.max(...reads.map((x) => x.ms))} ms)` : ''}; ` +
      `slowest JSON result downloads ${r.api_latency.slowest_json_ms.map((d) => `${d.conversion} ${d.ms} ms`).join(', ') || '–'}.`);
  }
  if (r.heading_mismatches.count) out.push(`Pages whose OCR text lacks their own "Page N" heading (not asserted): ${r.heading_mismatches.count}.`);
  if (r.notable_logs && Object.keys(r.notable_logs.counts).length) {
    out.push('', 'Warnings and errors logged (node: message × count): ' + Object.entries(r.notable_logs.counts).map(([k, n]) => `${cell(k)} ×${n}`).join('; ') + '.');
  }
  if (r.kept_root) out.push('', `Folders and node logs kept in \`${r.kept_root}\`.`);
  out.push('');
  return out;
}

export function markdown(r: ChaosReport): string {
  return [
    `# pagemill chaos run — ${r.date.slice(0, 10)}`, '',
    `**${r.ok ? 'PASSED' : 'FAILED'}**${r.time_ratio !== null ? ` · time with faults / without: **${r.time_ratio}×**` : ''} · ` +
      `${r.machine.cpus} cores, Node ${r.machine.node}`, '',
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '',
    ...(r.failed.length ? ['Failed:', '', ...r.failed.map((f) => `- ${f}`), ''] : []),
    ...r.runs.flatMap(runSection),
  ].join('\n');
}

export async function writeChaosReport(r: ChaosReport, dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const stem = path.join(dir, `${r.date.slice(0, 19).replace(/:/g, '-')}-chaos`);
  await fs.writeFile(`${stem}.json`, `${JSON.stringify(r, null, 2)}\n`);
  await fs.writeFile(`${stem}.md`, markdown(r));
  return [`${stem}.json`, `${stem}.md`];
}
