import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Backend } from './contracts/backend.js';
import { createLocalBackend } from './local/local-backend.js';

/**
 * Picks the backend ConversionService runs on: local, or with REDIS_URL the API node of
 * distributed mode. That one is loaded with a dynamic import, so local mode never loads
 * bullmq or ioredis.
 */
export async function createBackend(config: Config, log: Logger): Promise<Backend> {
  if (!config.REDIS_URL) return createLocalBackend(config, log);
  const { createBullmqBackend } = await import('./bullmq/bullmq-backend.js');
  return createBullmqBackend(config, log);
}
