/**
 * The one polling helper of the tests: waits until `check` returns something truthy, polling every
 * `everyMs`, and resolves with that value; throws naming `what` after `timeoutMs` (a function is
 * asked at the deadline, to name what the last check saw). The deadline is for a hung test, not a
 * speed check: keep it far above what a loaded machine needs. A check that may legitimately
 * produce a falsy value (0, '', false) must wrap it (e.g. in an object).
 */
export async function until<T>(
  check: () => Promise<T> | T, what: string | (() => string) = 'the condition', timeoutMs = 60_000, everyMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${typeof what === 'function' ? what() : what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
