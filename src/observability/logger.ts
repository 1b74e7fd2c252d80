import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.js';
import { logSerializers, redactLogObject } from './log-redaction.js';

/** JSON logs to stdout. Request lines carry `reqId`; conversion lines carry `conversion_id`. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'pagemill' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: logSerializers,
    formatters: { log: redactLogObject },
  }, destination);
}
