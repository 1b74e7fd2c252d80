import { createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiLinkError, type ApiLink } from './api-link.js';
import { DOWNLOAD_TIMEOUT_MS } from './cluster-names.js';

/** Documents kept on a node's disk: the ones its running pages read, plus the most recent others. */
const KEEP_SOURCES = 8;
/** A live node touches the stamp in its folder this often… */
const ALIVE_STAMP_MS = 10_000;
/** …so a folder whose stamp is older than this belongs to a node that is gone. */
const DEAD_AFTER_MS = 10 * 60_000;
const STAMP = '.alive';
/** Errors of this node's own disk: no page can be done here until someone fixes it. */
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE']);

/** The node's own disk refused a document (full, read-only, no permission). */
export class NodeDiskError extends Error {}

export const isNodeDiskError = (err: unknown): boolean => DISK_ERRORS.has((err as NodeJS.ErrnoException | null)?.code ?? '');

interface Entry {
  file: Promise<string>;
  readers: number;
  path: string;
  /** Still downloading. */
  pending: boolean;
}

/**
 * The documents a worker node's pages read, fetched once per conversion from the API node and kept
 * while pages read them (and a few more after). Each node has a folder of its own under
 * `DATA_DIR/cluster-sources`: nodes started from one working directory (or containers sharing a
 * volume) share DATA_DIR, and one must never delete or overwrite what another reads. A node
 * touches a stamp in its folder every ALIVE_STAMP_MS; a folder whose stamp is old is a dead node's
 * (process ids say nothing across containers). A document
 * streams to a temporary name and is renamed into place once whole, so a node never holds it in
 * memory nor reads half of one.
 */
export class SourceCache {
  private readonly entries = new Map<string, Entry>();
  private readonly stamper: NodeJS.Timeout;

  private constructor(readonly dir: string, private readonly api: ApiLink) {
    this.stamper = setInterval(() => void this.stamp(), ALIVE_STAMP_MS).unref();
  }

  /** Makes this node's folder, and removes the folders of nodes that are gone. */
  static async open(root: string, nodeId: string, api: ApiLink, now = Date.now()): Promise<SourceCache> {
    await fs.mkdir(root, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(root)) {
      const stamp = await fs.stat(path.join(root, name, STAMP)).catch(() => null);
      const folder = await fs.stat(path.join(root, name)).catch(() => null);
      const seen = stamp?.mtimeMs ?? folder?.mtimeMs ?? now;
      if (folder?.isDirectory() && now - seen > DEAD_AFTER_MS) await fs.rm(path.join(root, name), { recursive: true, force: true });
    }
    const cache = new SourceCache(path.join(root, nodeId), api);
    await cache.stamp();
    return cache;
  }

  /**
   * The document of a conversion (the id the API node gave with the authenticated task), with a
   * release to call once the page no longer reads it.
   */
  acquire(conversionId: string, dispatchId: string, signal: AbortSignal): { file: Promise<string>; release: () => void } {
    let entry = this.entries.get(conversionId);
    // A kept document someone removed since (an operator, a tmp cleaner) is fetched again.
    if (entry && entry.readers === 0 && !entry.pending && !existsSync(entry.path)) entry = undefined;
    if (entry) this.entries.delete(conversionId); // re-inserted below: most recent last
    else {
      const target = path.join(this.dir, conversionId.replace(/[^\w-]/g, '_'));
      const file = this.download(dispatchId, target, signal);
      const made: Entry = { file, readers: 0, path: target, pending: true };
      file.then(() => { made.pending = false; }, () => {
        if (this.entries.get(conversionId) === made) this.entries.delete(conversionId);
      });
      entry = made;
    }
    this.entries.set(conversionId, entry);
    entry.readers++;
    this.evict();
    const held = entry;
    return { file: entry.file, release: () => { held.readers--; } };
  }

  async close(): Promise<void> {
    clearInterval(this.stamper);
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  /** Marks this node's folder as in use (and makes it again if something removed it). */
  private async stamp(): Promise<void> {
    try {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fs.writeFile(path.join(this.dir, STAMP), '');
    } catch {
      // a full disk: the next download says so
    }
  }

  private async download(dispatchId: string, target: string, signal: AbortSignal): Promise<string> {
    const res = await this.api.call(`/internal/pages/${dispatchId}/source`, { signal }, DOWNLOAD_TIMEOUT_MS);
    const partial = `${target}.${process.pid}.part`;
    try {
      // Recreated if something removed it (an operator, an older release sharing the folder).
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(partial, { mode: 0o600 }), { signal });
      const expected = Number(res.headers.get('content-length'));
      const { size } = await fs.stat(partial);
      if (Number.isFinite(expected) && expected > 0 && size !== expected) {
        throw new ApiLinkError('unreachable', `the document arrived cut short (${size} of ${expected} bytes)`);
      }
      await fs.rename(partial, target);
      return target;
    } catch (err) {
      await fs.rm(partial, { force: true });
      if (isNodeDiskError(err)) throw new NodeDiskError(`${(err as NodeJS.ErrnoException).code} writing a document into ${this.dir}`);
      throw this.api.failure(err, signal);
    }
  }

  /** Keeps the most recent documents; those pages still read are never removed. */
  private evict(): void {
    for (const [id, old] of this.entries) {
      if (this.entries.size <= KEEP_SOURCES) break;
      if (old.readers > 0) continue;
      this.entries.delete(id);
      void old.file.then((f) => fs.rm(f, { force: true }), () => undefined);
    }
  }
}
