import type { Logger } from 'pino';
import type { Config } from '../../../config.js';
import type { PageRunner } from '../../contracts/page-runner.js';
import { registerBullBoard, type Dashboard } from './bull-board.js';
import { BullmqExecution } from './bullmq-execution.js';

/**
 * Distributed mode's execution for the API node: pages go to worker nodes through BullMQ (and to
 * `local`'s threads when NUM_WORKERS > 0), and the read-only queue dashboard to mount at
 * /admin/queues. Loaded on demand, so local mode never loads bullmq or ioredis.
 */
export function createBullmqExecution(config: Config, local: PageRunner, log: Logger): { execution: BullmqExecution; dashboard: Dashboard } {
  const execution = new BullmqExecution(config, local, log);
  return { execution, dashboard: (app, toReply) => registerBullBoard(app, execution.pageQueue, toReply) };
}
