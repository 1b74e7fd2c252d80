import type { Logger } from 'pino';
import { currentConversionId } from './conversion-context.js';

/**
 * Last line of defence: an error that escaped every catch (an 'error' event nobody listened to,
 * a promise nobody awaited) is logged — with the conversion it belongs to, when known — before the
 * process exits. Exiting is right: the state is unknown, and unfinished work resumes on restart
 * (a step that kills the process every time is given up after MAX_STEP_ATTEMPTS tries).
 */
export function installCrashHandlers(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  const onEscape = (origin: 'uncaughtException' | 'unhandledRejection') => (err: unknown) => {
    const conversionId = currentConversionId();
    log.fatal({ err, origin, ...(conversionId ? { conversion_id: conversionId } : {}) }, 'escaped error: exiting');
    exit(1);
  };
  process.on('uncaughtException', onEscape('uncaughtException'));
  process.on('unhandledRejection', onEscape('unhandledRejection'));
}
