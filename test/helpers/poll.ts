/**
 * Waits until `check` resolves truthy, polling; fails after `timeoutMs`. The deadline is for a hung
 * test, not a speed check: keep it far above what a loaded machine needs.
 */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 60_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
