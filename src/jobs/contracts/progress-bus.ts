import type { ProgressMessage } from '../../schemas/conversion.js';

export type ProgressListener = (m: ProgressMessage) => void;

/**
 * Progress fan-out, keyed by conversion id so two conversions never see each other's messages.
 * Local: an in-process EventEmitter (ProgressEvents).
 */
export interface ProgressBus {
  /** Never throws: a subscriber's error must not stop the conversion that publishes. */
  publish(message: ProgressMessage): void;
  subscribe(conversionId: string, listener: ProgressListener): () => void;
  /** Every conversion's messages (dashboards, metrics, webhooks). */
  subscribeAll(listener: ProgressListener): () => void;
  /** Told about a listener that threw; the message still reaches the other listeners. */
  onListenerError: (err: unknown, message: ProgressMessage) => void;
  listenerCount(): number;
}
