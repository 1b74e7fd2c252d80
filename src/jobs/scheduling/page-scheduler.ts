import type { Priority } from '../../schemas/conversion.js';

/**
 * Decides which page runs next. Pages, not documents, are the unit: each conversion has its own
 * queue, conversions of the same priority take turns (round-robin), and priority classes share
 * slots by weight (high 6 : normal 3 : low 1) so a flood of high-priority work slows low-priority
 * work down but never starves it. At most `capacity` pages hold a pool thread at once — one per
 * thread — so queued pages stay here, where they can be reordered and cancelled. A page frees its
 * thread as soon as the worker is done with it (`threadFree`), before its results are written:
 * the next page starts while the main thread stores this one (born-digital pages take ~1 ms of
 * worker time, so waiting for the writes left the threads idle most of the time).
 */
const WEIGHTS: Record<Priority, number> = { high: 6, normal: 3, low: 1 };
const CLASSES: Priority[] = ['high', 'normal', 'low'];

export type ExecutePage = (conversionId: string, pageNo: number, signal: AbortSignal, threadFree: () => void) => Promise<void>;

/** Pages whose results are still being written, beyond those holding threads, are bounded by this factor. */
const FINISHING_FACTOR = 4;

interface ConversionQueue { pages: number[]; priority: Priority }

export class PageScheduler {
  private readonly queues = new Map<string, ConversionQueue>();
  /** Round-robin order per class: conversion ids that have queued pages. */
  private readonly rings: Record<Priority, string[]> = { high: [], normal: [], low: [] };
  private readonly credits: Record<Priority, number> = { ...WEIGHTS };
  /** Every started page not yet finished, by `id#page`: cancel reaches them, idle() waits for them. */
  private readonly running = new Map<string, AbortController>();
  /** Pages holding a pool thread (≤ capacity). */
  private occupied = 0;
  private paused = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private capacity: number, private readonly execute: ExecutePage) {}

  /** Threads come and go (worker nodes join and leave): more start pages at once, fewer let running ones finish. */
  setCapacity(capacity: number): void {
    this.capacity = capacity;
    this.pump();
  }

  enqueue(conversionId: string, pages: number[], priority: Priority): void {
    if (pages.length === 0) return;
    const q = this.queues.get(conversionId);
    if (q) q.pages.push(...pages);
    else {
      this.queues.set(conversionId, { pages: [...pages], priority });
      this.rings[priority].push(conversionId);
    }
    this.pump();
  }

  /** Drops a conversion's queued pages and aborts its running ones. Returns how many were stopped. */
  cancel(conversionId: string, reason: unknown): number {
    let stopped = this.removeQueue(conversionId);
    for (const [key, ctrl] of this.running) {
      if (key.startsWith(`${conversionId}#`)) {
        ctrl.abort(reason);
        stopped++;
      }
    }
    return stopped;
  }

  isRunning(conversionId: string, pageNo: number): boolean {
    return this.running.has(`${conversionId}#${pageNo}`);
  }

  stats(): { queued_pages: number; active_pages: number; queued_by_conversion: number } {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.pages.length;
    return { queued_pages: queued, active_pages: this.running.size, queued_by_conversion: this.queues.size };
  }

  /** Stops starting new pages (shutdown); running pages go on. */
  pause(): void {
    this.paused = true;
  }

  /** Resolves when no page is running. */
  idle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every running page (shutdown past its grace period). */
  abortAll(reason: unknown): void {
    for (const ctrl of this.running.values()) ctrl.abort(reason);
  }

  private removeQueue(conversionId: string): number {
    const q = this.queues.get(conversionId);
    if (!q) return 0;
    this.queues.delete(conversionId);
    const ring = this.rings[q.priority];
    ring.splice(ring.indexOf(conversionId), 1);
    return q.pages.length;
  }

  private nextClass(): Priority | undefined {
    const waiting = CLASSES.filter((c) => this.rings[c].length > 0);
    if (waiting.length === 0) return undefined;
    let pick = waiting.find((c) => this.credits[c] > 0);
    if (!pick) {
      Object.assign(this.credits, WEIGHTS);
      pick = waiting[0]!;
    }
    this.credits[pick]--;
    return pick;
  }

  private take(): { conversionId: string; pageNo: number } | undefined {
    const cls = this.nextClass();
    if (!cls) return undefined;
    const ring = this.rings[cls];
    const conversionId = ring.shift()!;
    const q = this.queues.get(conversionId)!;
    const pageNo = q.pages.shift()!;
    if (q.pages.length > 0) ring.push(conversionId);
    else this.queues.delete(conversionId);
    return { conversionId, pageNo };
  }

  private pump(): void {
    while (!this.paused && this.occupied < this.capacity && this.running.size < this.capacity * FINISHING_FACTOR) {
      const next = this.take();
      if (!next) break;
      const key = `${next.conversionId}#${next.pageNo}`;
      const ctrl = new AbortController();
      this.running.set(key, ctrl);
      this.occupied++;
      let holdsThread = true;
      const threadFree = () => {
        if (!holdsThread) return;
        holdsThread = false;
        this.occupied--;
        this.pump();
      };
      this.execute(next.conversionId, next.pageNo, ctrl.signal, threadFree)
        .catch(() => undefined) // execute owns its errors; this only keeps the loop alive
        .finally(() => {
          this.running.delete(key);
          if (this.running.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
          if (holdsThread) threadFree();
          else this.pump();
        });
    }
  }
}
