import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Validates request parts with a zod schema; failures become a 400 `validation_error` that names the field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new AppError('validation_error', `${issue.path.join('.') || 'request'}: ${issue.message}`);
}
