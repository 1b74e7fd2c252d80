import { EventEmitter } from 'node:events';
import type { ProgressMessage } from '../schemas/conversion.js';

/**
 * Progress fan-out, keyed by conversion id so two conversions never see each other's messages.
 * `subscribeAll` serves dashboards that watch every conversion.
 */
const ALL = '*';

export class ProgressEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(message: ProgressMessage): void {
    this.emitter.emit(message.conversion_id, message);
    this.emitter.emit(ALL, message);
  }

  subscribe(conversionId: string, listener: (m: ProgressMessage) => void): () => void {
    this.emitter.on(conversionId, listener);
    return () => this.emitter.off(conversionId, listener);
  }

  subscribeAll(listener: (m: ProgressMessage) => void): () => void {
    return this.subscribe(ALL, listener);
  }

  listenerCount(): number {
    return this.emitter.eventNames().reduce((n, e) => n + this.emitter.listenerCount(e), 0);
  }
}
