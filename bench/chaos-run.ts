// `npm run bench -- --chaos` (or `--chaos-small`, a ~3-minute smoke version): a distributed
// cluster (redis-server, an API node, three worker nodes, one of them behind a stallable proxy)
// converts one long scan and many short ones while a fault script kills, stops and partitions
// nodes and restarts the API node; then every conversion must have completed with each page's
// result exactly once. The same workload then runs without faults on a fresh cluster, for the
// time ratio. Results: bench/results/<timestamp>-chaos.{json,md}; exit code 1 when a check fails.
// Standalone: npx tsx bench/chaos-run.ts [--small]
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notableLogs, pageRuns, readAttempts } from './chaos-analysis.js';
import { verifyResults } from './chaos-checks.js';
import { ChaosCluster, killEverything } from './chaos-cluster.js';
import { FAULT_PLAN, runFaults, type FaultRecord } from './chaos-faults.js';
import { failures, markdown, writeChaosReport, type ChaosReport, type RunReport } from './chaos-report.js';
import { makeWorkload, WorkloadRun, type ChaosDoc } from './chaos-workload.js';

const log = (s: string) => process.stderr.write(`${s}\n`);
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** The two sizes. Lock and stall interval are shorter than the defaults (30 s each) so a dead
 *  node's page comes back within ~20 s rather than ~90 s, and the 20 s partition outlasts the
 *  lock: the partitioned node's page is re-run elsewhere and its late result must be refused. */
function settings(small: boolean) {
  return {
    size: small ? 'small' : 'full',
    big_pages: num('CHAOS_BIG_PAGES', small ? 20 : 200),
    small_docs: num('CHAOS_SMALL_DOCS', small ? 5 : 50),
    // Small documents arrive over roughly the first half of the run, so faults hit them too.
    submit_spacing_s: num('CHAOS_SPACING_S', 2),
    // 200-dpi scans (read at their own resolution: RENDER_DPI 300 never upsamples them) make the
    // run without faults ~4–5 min on 2 cores; at 150 dpi it took ~2.5 min, too short to spread
    // five faults with recovery between them.
    scan_dpi: num('CHAOS_SCAN_DPI', small ? 150 : 200),
    render_dpi: num('CHAOS_RENDER_DPI', 300),
    stall_s: num('CHAOS_STALL_S', small ? 10 : 20),
    cluster_lock_ms: num('CHAOS_LOCK_MS', 10_000),
    cluster_stalled_interval_ms: num('CHAOS_STALLED_INTERVAL_MS', 5_000),
    ocr_engine: 'wasm',
    deadline_min: num('CHAOS_DEADLINE_MIN', small ? 12 : 30),
    faults: process.env.CHAOS_FAULTS !== '0',
    baseline: process.env.CHAOS_BASELINE !== '0',
  };
}
type Settings = ReturnType<typeof settings>;

/** `waitUntilMs`: when to stop waiting for conversions; `untilMs`: the global deadline. */
async function runOnce(name: RunReport['name'], s: Settings, docs: ChaosDoc[], waitUntilMs: number, untilMs: number): Promise<RunReport> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `pagemill-chaos-${name === 'with faults' ? 'faults' : 'calm'}-`));
  const env = {
    RENDER_DPI: String(s.render_dpi), OCR_ENGINE: s.ocr_engine,
    CLUSTER_LOCK_MS: String(s.cluster_lock_ms), CLUSTER_STALLED_INTERVAL_MS: String(s.cluster_stalled_interval_ms),
  };
  const pages = docs.reduce((n, d) => n + d.pages, 0);
  const report: RunReport = {
    name, seconds: null, pages, conversions: docs.length, pages_per_minute: null, checks: [], problems: [],
    heading_mismatches: { count: 0, first: [] }, faults: [], attempts: { error: 'not read' }, page_runs: null, api_latency: null, proxy: null, notable_logs: null, log_lines: null,
  };
  log(`${name}: starting redis-server, the API node and three worker nodes in ${root}…`);
  let cluster: ChaosCluster | undefined;
  let work: WorkloadRun | undefined;
  try {
    cluster = await ChaosCluster.start(root, env);
    work = new WorkloadRun(cluster.apiUrl, docs, randomUUID().slice(0, 8), untilMs);
    log(`${name}: submitting ${docs.length} documents (${pages} pages)…`);
    const running = work.run(waitUntilMs);
    const faulting: Promise<FaultRecord[]> = name === 'with faults' ? runFaults(cluster, work, FAULT_PLAN, s.stall_s * 1000, log) : Promise.resolve([]);
    // Both settle before going on: a fault that throws must not leave the poller running behind.
    const [ran, faulted] = await Promise.allSettled([running, faulting]);
    if (faulted.status === 'fulfilled') report.faults = faulted.value;
    if (ran.status === 'rejected') throw ran.reason;
    if (faulted.status === 'rejected') throw faulted.reason;
    if (ran.value.length) {
      report.error = `${ran.value.length} conversions had not ended after ${Math.round((waitUntilMs - work.t0) / 60_000)} min: ${ran.value.slice(0, 10).join('; ')}`;
      log(`${name}: ${report.error}`);
    } else {
      report.seconds = work.seconds();
      report.pages_per_minute = Math.round((pages / report.seconds) * 600) / 10;
      log(`${name}: every conversion ended after ${report.seconds} s; checking results…`);
    }
    const verified = await verifyResults(cluster.apiUrl, path.join(root, 'output'), work.tracked, untilMs);
    report.checks = verified.checks;
    report.problems = verified.problems;
    report.heading_mismatches = { count: verified.heading_mismatches.length, first: verified.heading_mismatches.slice(0, 20) };
    report.api_latency = { slow_status_reads: [], slowest_json_ms: verified.slowest_json_ms };
  } catch (err) {
    report.error = (err as Error).message.split('\n')[0]!.slice(0, 500);
  } finally {
    if (cluster) {
      // Stopped first: nothing below may leave a node running.
      await cluster.stop().catch((err: Error) => log(`stopping the cluster: ${err.message}`));
      report.log_lines = await cluster.saveLogs().catch(() => null);
      report.proxy = cluster.proxyStats();
      const logs = cluster.logs();
      if (work) {
        report.api_latency = { slow_status_reads: work.slowReads, slowest_json_ms: report.api_latency?.slowest_json_ms ?? [] };
        report.page_runs = pageRuns(logs, work.tracked, pages);
        report.notable_logs = notableLogs(logs, work.t0);
      }
    }
    try {
      const attempts = readAttempts(path.join(root, 'api-data'));
      report.attempts = attempts;
      // A fault costs no healthy page an attempt: only a run that crashed a worker spends one, and
      // no page of this workload crashes one.
      const spent = Object.entries(attempts.distribution).filter(([a]) => a !== '0').reduce((n, [, count]) => n + count, 0);
      report.checks.push({
        name: 'no page spent an attempt (pages.attempts 0)', ok: spent === 0,
        detail: spent ? `${spent} pages: ${attempts.unusual.slice(0, 12).map((p) => `${p.conversion}#${p.page} ${p.attempts}`).join('; ')}` : 'all pages',
      });
    } catch (err) {
      report.attempts = { error: (err as Error).message };
    }
    if (failures(report).length || process.env.CHAOS_KEEP === '1') report.kept_root = root;
    else await fs.rm(root, { recursive: true, force: true });
  }
  return report;
}

export async function chaosBench(small: boolean): Promise<number> {
  const s = settings(small);
  const startedAt = Date.now();
  const untilMs = startedAt + s.deadline_min * 60_000;
  const report: ChaosReport = {
    date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    settings: s, ok: false, failed: [], runs: [], time_ratio: null,
  };
  const results = path.resolve(import.meta.dirname, 'results');
  // The global deadline and Ctrl-C: kill every process started, write what is known, fail.
  const abandon = (why: string) => {
    log(`\n${why}: killing every process the chaos run started`);
    killEverything();
    report.failed.push(why);
    void writeChaosReport(report, results).finally(() => process.exit(1));
  };
  const deadline = setTimeout(() => abandon(`global deadline of ${s.deadline_min} min passed`), s.deadline_min * 60_000 + 60_000);
  const onSignal = () => abandon('interrupted');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-chaos-docs-'));
  try {
    log(`generating ${s.big_pages} + ${s.small_docs} small scanned documents at ${s.scan_dpi} dpi…`);
    const docs = await makeWorkload(dir, s.big_pages, s.small_docs, s.submit_spacing_s, s.scan_dpi);
    // A run that hangs must leave time for the other: the faulty one gets 60 % of what is left.
    if (s.faults) report.runs.push(await runOnce('with faults', s, docs, s.baseline ? Date.now() + 0.6 * (untilMs - Date.now()) : untilMs, untilMs));
    if (s.baseline) report.runs.push(await runOnce('without faults', s, docs, untilMs, untilMs));
    const faulty = report.runs.find((r) => r.name === 'with faults');
    const calm = report.runs.find((r) => r.name === 'without faults');
    if (faulty?.seconds && calm?.seconds) report.time_ratio = Math.round((faulty.seconds / calm.seconds) * 100) / 100;
    report.failed = report.runs.flatMap(failures);
    report.ok = report.failed.length === 0;
    const files = await writeChaosReport(report, results);
    process.stdout.write(markdown(report));
    log(`\nwrote ${files.join(', ')}`);
    if (!report.ok) log(`\nCHAOS RUN FAILED:\n${report.failed.map((f) => `  - ${f}`).join('\n')}`);
    return report.ok ? 0 : 1;
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    killEverything();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await chaosBench(process.argv.includes('--small')));
}
