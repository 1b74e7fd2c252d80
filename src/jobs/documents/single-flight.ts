/**
 * One run per key at a time: a caller asking for a key already being made waits for that run
 * instead of starting a second one (a file drawn or built on its first request).
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, make: () => Promise<T>): Promise<T> {
    let run = this.running.get(key);
    if (!run) {
      run = make().finally(() => this.running.delete(key));
      this.running.set(key, run);
    }
    return run;
  }

  /** Resolves when no run whose key passes `which` is in progress (their failures ignored). */
  async settled(which: (key: string) => boolean): Promise<void> {
    await Promise.all([...this.running].filter(([key]) => which(key)).map(([, run]) => run.catch(() => undefined)));
  }
}
