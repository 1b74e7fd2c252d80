// The fault script. Faults fire one after another when the workload reaches given fractions of its
// pages — not at fixed seconds — so they land spread over the run on any machine speed, and a fault
// aimed at a worker node waits (briefly) until that node holds a page, so it hits work in flight.
// Each fault is logged with its time since the first submission and what it hit.
import type { NodeProcess } from '../test/helpers/cluster-processes.js';
import type { ChaosCluster, WorkerSlot } from './chaos-cluster.js';
import type { WorkloadRun } from './chaos-workload.js';

export type FaultKind = 'worker kill -9' | 'worker SIGTERM' | 'API SIGTERM' | 'API kill -9' | 'network stall';
export interface FaultStep { kind: FaultKind; at: number }

export interface FaultRecord {
  fault: FaultKind;
  target: string;
  /** Fraction of the workload's pages ended when it fired. */
  at_progress: number;
  t_s: number;
  done_t_s: number;
  /** The fault did what it should (e.g. SIGTERM: exit code 0); false with the reason in detail. */
  ok: boolean;
  detail: Record<string, unknown>;
  /** Never fired: the run ended first. */
  skipped?: string;
}

/** Worker nodes: w1 is killed, w2 stopped, w3 (behind the proxy) partitioned. Spread over the run. */
export const FAULT_PLAN: FaultStep[] = [
  { kind: 'worker kill -9', at: 0.08 },
  { kind: 'worker SIGTERM', at: 0.22 },
  { kind: 'API SIGTERM', at: 0.36 },
  { kind: 'network stall', at: 0.5 },
  { kind: 'API kill -9', at: 0.66 },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pages a node life has started and not yet returned, handed back or stopped. */
function held(n: NodeProcess, names: Map<string, string>): string[] {
  const open = new Map<string, string>();
  for (const l of n.logs) {
    const d = String(l.dispatch);
    if (l.msg === 'page started') open.set(d, `${names.get(String(l.conversion_id)) ?? String(l.conversion_id)}#${String(l.page)}`);
    else if (['page returned', 'page handed back', 'page stopped'].includes(String(l.msg))) open.delete(d);
  }
  return [...open.values()];
}

/** "big#14" for a dispatch the node started; the dispatch id when it handed it back before starting. */
function pageOf(n: NodeProcess, dispatch: string, names: Map<string, string>): string {
  const l = n.logs.find((x) => x.msg === 'page started' && String(x.dispatch) === dispatch);
  return l ? `${names.get(String(l.conversion_id)) ?? String(l.conversion_id)}#${String(l.page)}` : `dispatch ${dispatch.slice(0, 8)} (not started)`;
}

export async function runFaults(
  cluster: ChaosCluster, work: WorkloadRun, plan: FaultStep[], stallMs: number, log: (s: string) => void,
): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  const over = () => work.finished || work.allEnded();
  const t = () => Math.round((Date.now() - work.t0) / 100) / 10;
  const names = () => new Map(work.tracked.filter((x) => x.id).map((x) => [x.id!, x.doc.name]));
  const [w1, w2, w3] = cluster.workers as [WorkerSlot, WorkerSlot, WorkerSlot];
  /** Up to 20 s for the node to be holding a page; the fault goes ahead regardless. */
  const waitHeld = async (w: WorkerSlot) => {
    for (let i = 0; i < 100 && !over(); i++) {
      const h = held(w.lives.at(-1)!, names());
      if (h.length) return h;
      await sleep(200);
    }
    return [];
  };
  const inFlight = () => Object.fromEntries(cluster.workers.map((w) => [w.name, held(w.lives.at(-1)!, names())]));

  for (const step of plan) {
    while (work.progress() < step.at && !over()) await sleep(250);
    const base = { fault: step.kind, at_progress: Math.round(work.progress() * 100) / 100, t_s: t() };
    if (over()) {
      records.push({ ...base, target: '', done_t_s: t(), ok: false, detail: {}, skipped: 'every conversion had ended' });
      log(`[${t()} s] fault ${step.kind}: skipped, every conversion had ended`);
      continue;
    }
    let target: string;
    let ok = true;
    let detail: Record<string, unknown> = {};
    if (step.kind === 'worker kill -9' || step.kind === 'worker SIGTERM') {
      const w = step.kind === 'worker kill -9' ? w1 : w2;
      target = w.name;
      const pages = await waitHeld(w);
      base.t_s = t();
      log(`[${t()} s] fault ${step.kind} ${w.name} (holding ${pages.join(', ') || 'nothing'})`);
      const life = w.lives.at(-1)!;
      const stopped = await cluster.stopWorker(w, step.kind === 'worker kill -9' ? 'SIGKILL' : 'SIGTERM');
      const handedBack = life.logs.filter((l) => l.msg === 'page handed back').map((l) => pageOf(life, String(l.dispatch), names()));
      detail = { held: pages, ...stopped, ...(step.kind === 'worker SIGTERM' ? { handed_back: handedBack } : {}) };
      if (step.kind === 'worker SIGTERM' && (stopped.exit_code !== 0 || stopped.forced)) {
        ok = false;
        detail.problem = `expected exit code 0 within 60 s, got ${stopped.exit_code}${stopped.forced ? ' after SIGKILL' : ''}`;
      }
      await sleep(2000);
      await cluster.startWorker(w);
      log(`[${t()} s]   ${w.name} exited ${stopped.exit_code}; started again`);
    } else if (step.kind === 'API SIGTERM' || step.kind === 'API kill -9') {
      target = 'api';
      detail.in_flight = inFlight();
      log(`[${t()} s] fault ${step.kind} (pages in flight: ${JSON.stringify(detail.in_flight)})`);
      const r = await cluster.restartApi(step.kind === 'API SIGTERM' ? 'SIGTERM' : 'SIGKILL');
      Object.assign(detail, r);
      if (step.kind === 'API SIGTERM' && (r.exit_code !== 0 || r.forced)) {
        ok = false;
        detail.problem = `expected exit code 0 within 60 s, got ${r.exit_code}${r.forced ? ' after SIGKILL' : ''}`;
      }
      log(`[${t()} s]   API node exited ${r.exit_code} and listens again (${r.down_s} s down)`);
    } else {
      target = w3.name;
      const pages = await waitHeld(w3);
      base.t_s = t();
      log(`[${t()} s] fault ${step.kind} ${w3.name} for ${stallMs / 1000} s (holding ${pages.join(', ') || 'nothing'})`);
      await cluster.stall(stallMs);
      detail = { held: pages, stall_s: stallMs / 1000 };
      log(`[${t()} s]   ${w3.name}'s network forwards again`);
    }
    // Back to full strength before the next fault, so faults do not pile up on each other.
    const whole = await cluster.waitForThreads(3, 60_000);
    detail.three_threads_again_t_s = whole ? t() : null;
    if (!whole) {
      ok = false;
      detail.problem = `${String(detail.problem ?? '')} the API node did not count three worker threads within 60 s`.trim();
    }
    records.push({ ...base, target, done_t_s: t(), ok, detail });
  }
  return records;
}
