import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

/** JSON logs to stdout. Request lines carry `reqId`; conversion lines carry `conversion_id`. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service: 'pagemill' }, timestamp: pino.stdTimeFunctions.isoTime });
}
