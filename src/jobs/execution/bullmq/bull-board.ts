import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { AppError } from '../../../errors.js';

export const BULL_BOARD_PATH = '/admin/queues';

/** How the app turns an error into a reply (src/http/error-replies.ts), so the board's errors look like every other. */
export type DashboardErrorReply = (err: unknown) => { status: number; body: { detail: string; code: string } };
/** The read-only queue dashboard, mounted by the app at /admin/queues. */
export type Dashboard = (app: FastifyInstance, toReply: DashboardErrorReply) => Promise<void>;

/**
 * Bull Board on the API node, read-only: the page jobs in flight and Redis' state, for operators.
 * With keys on it answers admin keys only: its jobs carry every key's conversion ids, file paths
 * and failure reasons, which /stats shows a non-admin key for its own conversions only.
 */
export async function registerBullBoard(app: FastifyInstance, queue: Queue, toReply: DashboardErrorReply): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter });
  // Its plugin has its own error handler: without this, a refused API key (thrown by auth.ts's
  // hook) would come back as Bull Board's 500 instead of our 401 with its code.
  serverAdapter.setErrorHandler((err) => {
    const { status, body } = toReply(err);
    // Its status type lists a few codes only; the adapter passes any number on to Fastify.
    return { status: status as 500, body };
  });
  await app.register(async (board) => {
    // Runs after auth.ts's hook (registered on the root, before this), so owner and admin are set:
    // a null owner means keys are off, and then the board is as open as every other route.
    board.addHook('onRequest', async (request) => {
      if (request.owner !== null && !request.admin) throw new AppError('admin_only');
    });
    // The board's error handler returns a status and a body only: headers an error carries
    // (Retry-After of a rate limit) are set here, before it runs.
    board.addHook('onError', async (_request, reply, err) => {
      if (err instanceof AppError) void reply.headers(err.headers);
    });
    await board.register(serverAdapter.registerPlugin());
  }, { prefix: BULL_BOARD_PATH });
}
