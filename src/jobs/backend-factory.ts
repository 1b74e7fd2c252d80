import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Backend } from './contracts/backend.js';
import { createLocalBackend } from './local/local-backend.js';

/**
 * Picks the backend ConversionService runs on. Only the local one exists so far; a distributed
 * backend is loaded here with a dynamic import, so local mode never loads its modules.
 */
export async function createBackend(config: Config, log: Logger): Promise<Backend> {
  return createLocalBackend(config, log);
}
