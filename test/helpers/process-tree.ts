import fs from 'node:fs';
import { until } from './poll.js';

/** Pids of every live process below `pid` (children, grandchildren, ...), read from Linux's /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) { found.push(child); walk(child); }
    }
  };
  walk(pid);
  return found;
}

/** A zombie (ended, not yet reaped by its parent) counts as ended. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves true once none of `pids` is alive, false if some still are at the deadline. */
export async function allExited(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  // the check never throws (isAlive reads /proc and catches): a rejection is the deadline
  return until(() => !pids.some(isAlive), 'every process exited', timeoutMs, 50).then(() => true, () => false);
}
