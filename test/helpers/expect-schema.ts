import { expect } from 'vitest';
import { z } from 'zod';
import {
  wsCancelledSchema, wsCompletedSchema, wsErrorSchema, wsProcessingSchema, wsSnapshotSchema,
} from '../../src/schemas/conversion.js';
import { errorReplySchema } from '../../src/schemas/status.js';

/**
 * Asserts that `value` is what the API contract (the zod schema the route documents) promises — every
 * field and its type, not one field picked out — and returns it typed.
 */
export function expectSchema<S extends z.ZodType>(schema: S, value: unknown, what = 'reply'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    expect.fail(`${what} does not match its schema:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(value).slice(0, 2000)}`);
  }
  // the value itself, not the parse (which would drop fields the schema does not list)
  return value as z.infer<S>;
}

/** Any frame after the first on /ws/conversion/:id. */
export const wsProgressFrameSchema = z.union([wsProcessingSchema, wsCompletedSchema, wsErrorSchema, wsCancelledSchema]);
/** The frame the socket sends for an unknown id before closing. */
export const wsNotFoundFrameSchema = z.object({
  status: z.literal('error'), progress: z.literal(0), message: z.string(), error: z.string(), code: z.string(),
});

/** Frames of one progress socket: a snapshot, then progress frames (or one not-found frame). */
export function expectProgressFrames(frames: readonly unknown[]): void {
  const [first, ...rest] = frames;
  if (wsNotFoundFrameSchema.safeParse(first).success && rest.length === 0) return;
  expectSchema(wsSnapshotSchema, first, 'first WebSocket frame');
  rest.forEach((f, i) => expectSchema(wsProgressFrameSchema, f, `WebSocket frame ${i + 2}`));
}

export { errorReplySchema };
