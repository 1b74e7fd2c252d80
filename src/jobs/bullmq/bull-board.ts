import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { AppError, errorBody } from '../../errors.js';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board on the API node, read-only: the page jobs in flight and Redis' state, for operators.
 * Behind the API key like every non-public route (auth.ts) when keys are on.
 */
export async function registerBullBoard(app: FastifyInstance, queue: Queue): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter });
  // Its plugin has its own error handler: without this, a refused API key (thrown by auth.ts's
  // hook) would come back as Bull Board's 500 instead of our 401 with its code.
  serverAdapter.setErrorHandler((err) => err instanceof AppError
    // Its status type lists a few codes only; the adapter passes any number on to Fastify.
    ? { status: err.status as 500, body: errorBody(err.code, err.message) }
    : { status: 500, body: errorBody('internal_error') });
  await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
}
