// What the chaos run reports without asserting: how many attempts the API node's store recorded
// per page (the attempt accounting is being changed, so this is observed, not judged yet), how much
// work the faults made the worker nodes redo (page runs from their logs against pages), and the
// warnings and errors every node logged, grouped, so a reader sees what each fault provoked.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Tracked } from './chaos-workload.js';

type LogLine = { node: string; life: number; entry: Record<string, unknown> };

export interface AttemptsReport {
  db: string;
  /** attempts → pages with that many. */
  distribution: Record<string, number>;
  /** page status → attempts → pages. */
  by_status: Record<string, Record<string, number>>;
  /** The most common value: what a page untouched by faults ends with under the current accounting. */
  usual: number | null;
  /** Pages whose attempts differ from `usual`, or that did not end done, with their outcome (at most 100). */
  unusual: { conversion: string; page: number; status: string; attempts: number; error_code: string | null; error: string | null }[];
}

/** Reads `pages.attempts` from the API node's SQLite store, read-only. */
export function readAttempts(dataDir: string): AttemptsReport {
  const file = ['pagemill.db', ...fs.readdirSync(dataDir).filter((f) => /\.(db|sqlite3?)$/.test(f))]
    .map((f) => path.join(dataDir, f)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no SQLite store in ${dataDir}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT c.filename AS conversion, p.page_no AS page, p.status, p.attempts, p.error_code, p.error
      FROM pages p JOIN conversions c ON c.id = p.conversion_id ORDER BY c.created_at, p.page_no`).all() as AttemptsReport['unusual'];
    const distribution: Record<string, number> = {};
    const byStatus: Record<string, Record<string, number>> = {};
    for (const r of rows) {
      distribution[r.attempts] = (distribution[r.attempts] ?? 0) + 1;
      const s = (byStatus[r.status] ??= {});
      s[r.attempts] = (s[r.attempts] ?? 0) + 1;
    }
    const usual = Object.entries(distribution).sort((a, b) => b[1] - a[1])[0]?.[0];
    const u = usual === undefined ? null : Number(usual);
    return { db: file, distribution, by_status: byStatus, usual: u, unusual: rows.filter((r) => r.attempts !== u || r.status !== 'done').slice(0, 100) };
  } finally {
    db.close();
  }
}

export interface PageRunsReport {
  pages: number;
  /** 'page started' lines over all worker nodes' lives. */
  page_runs: number;
  redone_runs: number;
  /** Pages started more than once: which node lives ran them (at most 100). */
  redone_pages: { conversion: string; page: number; runs: string[] }[];
  /** Worker nodes' log messages (info and up), with how many lines each. */
  worker_events: Record<string, number>;
  /** The API node's, without per-request lines. */
  api_events: Record<string, number>;
}

const REQUEST_LINES = ['incoming request', 'request completed'];
/** A message with the fields that change its meaning (the API node's verdict on a returned page). */
const eventKey = (e: Record<string, unknown>) => {
  const msg = String(e.msg);
  if (msg === 'page returned') return `page returned (ok ${String(e.ok)}${'accepted' in e ? `, accepted ${String(e.accepted)}` : ''})`;
  // Messages that embed a port or address vary per life: keep the part before it.
  return msg.replace(/ at http:\/\/127\.0\.0\.1:\d+/, '');
};

export function pageRuns(logs: LogLine[], tracked: Tracked[], pages: number): PageRunsReport {
  const names = new Map(tracked.filter((t) => t.id).map((t) => [t.id!, t.doc.name]));
  const runs = new Map<string, string[]>();
  const events: Record<string, number> = {};
  const apiEvents: Record<string, number> = {};
  for (const { node, life, entry } of logs) {
    if (typeof entry.msg !== 'string' || REQUEST_LINES.includes(entry.msg) || Number(entry.level ?? 30) < 30) continue;
    const bag = node === 'api' ? apiEvents : events;
    bag[eventKey(entry)] = (bag[eventKey(entry)] ?? 0) + 1;
    if (node === 'api' || entry.msg !== 'page started') continue;
    const at = `${names.get(String(entry.conversion_id)) ?? String(entry.conversion_id)}#${String(entry.page)}`;
    runs.set(at, [...(runs.get(at) ?? []), `${node}.${life}`]);
  }
  const redone = [...runs].filter(([, r]) => r.length > 1);
  const total = [...runs.values()].reduce((n, r) => n + r.length, 0);
  return {
    pages, page_runs: total, redone_runs: total - runs.size,
    redone_pages: redone.slice(0, 100).map(([at, r]) => ({ conversion: at.split('#')[0]!, page: Number(at.split('#')[1]), runs: r })),
    worker_events: events,
    api_events: apiEvents,
  };
}

export interface NotableLine { node: string; t_s: number; level: number; msg: string; detail: string }

/**
 * Warnings and worse from every node, grouped by node and message (counts), plus the first
 * `keep` of them in full, with their time since `t0` — the raw material for spotting a bug.
 */
export function notableLogs(logs: LogLine[], t0: number, keep = 60): { counts: Record<string, number>; first: NotableLine[] } {
  const counts: Record<string, number> = {};
  const first: NotableLine[] = [];
  for (const { node, life, entry } of logs) {
    const level = Number(entry.level ?? 0);
    if (level < 40) continue;
    const msg = String(entry.msg ?? '');
    const k = `${node}: ${eventKey(entry)}`;
    counts[k] = (counts[k] ?? 0) + 1;
    const err = entry.err as { message?: string } | undefined;
    const detail = [entry.reason, err?.message, entry.conversion_id && `conversion ${String(entry.conversion_id)}`, entry.page !== undefined && `page ${String(entry.page)}`, entry.dispatch && `dispatch ${String(entry.dispatch)}`]
      .filter(Boolean).map(String).join(', ').slice(0, 300);
    first.push({ node: `${node}.${life}`, t_s: Math.round((Date.parse(String(entry.time)) - t0) / 100) / 10, level, msg, detail });
  }
  first.sort((a, b) => a.t_s - b.t_s);
  return { counts, first: first.slice(0, keep) };
}
