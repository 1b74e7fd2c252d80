import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The conversion the current asynchronous work belongs to, so the process-level handlers in
 * server.ts can name it when something escapes every catch (an 'error' event nobody listened to).
 */
const context = new AsyncLocalStorage<string>();

export function inConversion<T>(conversionId: string, work: () => T): T {
  return context.run(conversionId, work);
}

export function currentConversionId(): string | undefined {
  return context.getStore();
}
