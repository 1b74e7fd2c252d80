import { PDFWorker } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * pdf.js runs its parser in this thread (there is no browser worker here): its "fake worker" talks
 * to the document through a LoopbackPort that structured-clones every message, both ways. For a
 * born-digital page the text-content chunks are most of those bytes — a clone of every text item,
 * 8 % of a pool thread's time on tracemonkey (`node --cpu-prof`), and the copies' garbage after.
 *
 * This port is LoopbackPort with one difference: a text-content chunk is handed over as it is.
 * That is safe because pdf.js's getTextContent never touches a chunk's items or styles after
 * enqueueing it: it puts new ones (`textContent.items = []`, `styles = Object.create(null)`) on the
 * object it reuses, which is why the chunk object itself is copied (shallowly) at posting time. Every
 * other message — operator lists, emptied in place after sending; data with transfer lists — is
 * cloned exactly as before.
 */

/** pdf.js's StreamKind.ENQUEUE (src/shared/message_handler.js): a chunk of a stream. */
const ENQUEUE = 4;

interface Message { stream?: number; chunk?: { items?: unknown; styles?: unknown } }
type Listener = (this: InThreadPort, event: { data: unknown }) => void;

/** A plain object of strings, numbers and the like only: its shallow copy is its structured clone. */
function flat(m: object): boolean {
  if (Object.getPrototypeOf(m) !== Object.prototype) return false;
  for (const value of Object.values(m)) {
    if ((typeof value === 'object' && value !== null) || typeof value === 'function' || typeof value === 'symbol') return false;
  }
  return true;
}

/**
 * What the receiving side gets for `message`: a text chunk as it is, a message of plain values (the
 * streams' pull and pull-complete, a page's text asked for) copied, anything else a clone.
 */
export function handedOver(message: unknown, transfer?: Transferable[]): unknown {
  if (typeof message !== 'object' || message === null || transfer?.length) return structuredClone(message, transfer ? { transfer } : undefined);
  const m = message as Message;
  const chunk = m.chunk;
  if (m.stream === ENQUEUE && chunk && Array.isArray(chunk.items) && typeof chunk.styles === 'object') return { ...m, chunk: { ...chunk } };
  return flat(m) ? { ...m } : structuredClone(message);
}

export class InThreadPort {
  /** Each listener with what stops watching its abort signal (pdf.js's message handlers pass one and abort it when destroyed). */
  private readonly listeners = new Map<Listener, (() => void) | null>();
  // Delivered a microtask later, in order, as LoopbackPort does: a sender never runs its receiver's code.
  private readonly deferred = Promise.resolve();

  postMessage(message: unknown, transfer?: Transferable[]): void {
    const event = { data: handedOver(message, transfer) };
    void this.deferred.then(() => {
      for (const listener of this.listeners.keys()) listener.call(this, event);
    });
  }

  addEventListener(_name: 'message', listener: Listener, options?: { signal?: AbortSignal }): void {
    const signal = options?.signal;
    if (signal?.aborted) return;
    let unwatch: (() => void) | null = null;
    if (signal) {
      const onAbort = () => this.removeEventListener('message', listener);
      signal.addEventListener('abort', onAbort);
      unwatch = () => signal.removeEventListener('abort', onAbort);
    }
    this.listeners.set(listener, unwatch);
  }

  removeEventListener(_name: 'message', listener: Listener): void {
    this.listeners.get(listener)?.();
    this.listeners.delete(listener);
  }

  terminate(): void {
    for (const unwatch of this.listeners.values()) unwatch?.();
    this.listeners.clear();
  }
}

/** pdf.js's parser, the same module pdf.js's fake worker would load (it is not typed for import). */
const WORKER_MODULE = 'pdfjs-dist/legacy/build/pdf.worker.mjs';
interface WorkerModule { WorkerMessageHandler: { initializeFromPort(port: InThreadPort): void } }

/**
 * A pdf.js worker for one document, in this thread, on an InThreadPort. Give it to getDocument as
 * `worker`; pdf.js does not destroy a worker it was given, so destroy it with its document.
 */
export async function inThreadWorker(verbosity: number): Promise<{ worker: PDFWorker; destroy(): void }> {
  const { WorkerMessageHandler } = (await import(WORKER_MODULE)) as WorkerModule;
  const port = new InThreadPort();
  WorkerMessageHandler.initializeFromPort(port);
  // Typed as taking no port, though pdf.js takes one (its PDFWorker.fromPort, a browser worker port).
  const worker = new PDFWorker({ port: port as never, verbosity });
  return {
    worker,
    destroy() {
      worker.destroy();
      port.terminate();
    },
  };
}
