import { EventEmitter } from 'node:events';
import type { ProgressMessage } from '../../schemas/conversion.js';
import type { ProgressBus } from '../contracts/progress-bus.js';

/**
 * Progress fan-out, keyed by conversion id so two conversions never see each other's messages.
 * `subscribeAll` serves dashboards that watch every conversion.
 */
const ALL = '*';

export class ProgressEvents implements ProgressBus {
  private readonly emitter = new EventEmitter();
  /** Told about a listener that threw; the message still reaches the other listeners. */
  onListenerError: (err: unknown, message: ProgressMessage) => void = () => undefined;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /**
   * Never throws: it is called while a conversion records its end, where a subscriber's error
   * (a socket, a dashboard) must neither stop the workflow nor escape as a crash.
   */
  publish(message: ProgressMessage): void {
    for (const key of [message.conversion_id, ALL]) {
      for (const listener of this.emitter.listeners(key) as ((m: ProgressMessage) => void)[]) {
        try {
          listener(message);
        } catch (err) {
          this.onListenerError(err, message);
        }
      }
    }
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
