/**
 * At most `limit` inspections handed to the worker pool at once; the rest wait here in arrival
 * order. Without it every accepted conversion queued an inspect task in the pool at once, and
 * that queue grew without bound. The waiting conversions are `pending` in the store, so they
 * count against MAX_QUEUED_CONVERSIONS, which bounds this list too.
 */
export class InspectGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never drops below what runs.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
