import type { ConversionErrorCode } from '../src/errors.js';
import type { Envelope, TaskError } from '../src/schemas/page-result.js';

/** Thrown inside a worker to end a task with a specific code; turned into an envelope at the edge. */
export class TaskFailure extends Error {
  constructor(readonly code: ConversionErrorCode, message: string) {
    super(message);
  }
}

/** pdf.js reports encrypted files with PasswordException: code 1 = none given, 2 = wrong. */
function classifyPdfError(err: unknown): TaskError | null {
  const e = err as { name?: string; code?: number; message?: string };
  if (e?.name === 'PasswordException') {
    return e.code === 2
      ? { code: 'password_incorrect', message: 'The password for this PDF is wrong.' }
      : { code: 'password_required', message: 'This PDF is encrypted; send its password in the "password" field.' };
  }
  return null;
}

/**
 * Piscina drops an error's name and code on the way back to the main thread, so every task
 * catches here and returns `{ ok: false, error }` instead of throwing.
 */
export async function toEnvelope<T>(work: () => Promise<T>, fallback: TaskError['code']): Promise<Envelope<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (err instanceof TaskFailure) return { ok: false, error: { code: err.code, message: err.message } };
    const known = classifyPdfError(err);
    if (known) return { ok: false, error: known };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: fallback, message: message.slice(0, 500) } };
  }
}
