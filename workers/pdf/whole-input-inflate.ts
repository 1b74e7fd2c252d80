import zlib from 'node:zlib';

/**
 * pdf.js inflates every Flate stream it reads (content streams, embedded fonts, images) through the
 * web's `DecompressionStream('deflate')` when the platform has one. Node's is zlib's stream, run on
 * the libuv thread pool behind web-stream adapters: for the few-kilobyte streams of a text page the
 * adapters, promises and thread hand-offs cost far more than the inflating (on tracemonkey, the
 * stream machinery was ~6 % of a pool thread and most of the libuv threads' CPU).
 *
 * This stand-in inflates the whole input at once, on the calling thread, when pdf.js reads the
 * output. It is zlib all the same (`inflateSync` runs the same code as the stream), so it gives the
 * same bytes, and fails on the same inputs: pdf.js then decodes the stream itself, as it does when
 * Node's stream errors. Blocking is what a pool thread is for. Other formats go to the platform's.
 *
 * Only outputs up to WHOLE_OUTPUT_LIMIT are made in one piece: inflating a large image at once held
 * zlib's pieces, their join and pdf.js's copy together, and raised the peak of the corpus's
 * image-heavy scans by ~95 MB (multipage.pdf 855 → 957 MB, enormous.pdf 831 → 923 MB). A larger
 * output goes through the platform's stream again, from the start.
 */

/** The largest output inflated at once: far above a page's content stream or a font, below an image's. */
const WHOLE_OUTPUT_LIMIT = 4 * 1024 * 1024;

type Chunk = Uint8Array;
interface Writer { readonly ready: Promise<void>; write(chunk: Chunk): Promise<void>; close(): Promise<void>; releaseLock(): void }
type PlatformStream = new (format: string) => object;

class WholeInputInflate {
  // Set unless the constructor hands back the platform's stream instead.
  readonly writable!: { getWriter(): Writer };
  readonly readable!: AsyncIterable<Chunk>;

  constructor(format: string, platform: PlatformStream) {
    // A constructor may return another object: anything but zlib's own format is the platform's.
    if (format !== 'deflate') return new platform(format) as WholeInputInflate;
    const input: Chunk[] = [];
    let closed!: () => void;
    const ended = new Promise<void>((resolve) => (closed = resolve));
    const writer: Writer = {
      ready: Promise.resolve(),
      write: async (chunk) => void input.push(chunk),
      close: async () => closed(),
      releaseLock: () => undefined,
    };
    this.writable = { getWriter: () => writer };
    this.readable = {
      async *[Symbol.asyncIterator]() {
        await ended;
        const all = input.length === 1 ? input[0]! : Buffer.concat(input);
        let whole: Buffer | null = null;
        try {
          whole = zlib.inflateSync(all, { maxOutputLength: WHOLE_OUTPUT_LIMIT });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw err;
        }
        if (whole) return yield whole;
        const stream = new platform('deflate') as DecompressionStream;
        const writer = stream.writable.getWriter();
        writer.write(all as Uint8Array<ArrayBuffer>).then(() => writer.close()).catch(() => {});
        yield* stream.readable as unknown as AsyncIterable<Chunk>;
      },
    };
  }
}

let installed = false;

/** Puts the stand-in in place of this thread's `DecompressionStream` (once; pdf.js looks it up on each use). */
export function inflateWholeInputs(): void {
  if (installed) return;
  installed = true;
  const platform = globalThis.DecompressionStream as unknown as PlatformStream | undefined;
  if (!platform) return; // pdf.js then inflates in JavaScript, as it always did without one
  (globalThis as { DecompressionStream: unknown }).DecompressionStream = class extends WholeInputInflate {
    constructor(format: string) {
      super(format, platform!);
    }
  };
}
