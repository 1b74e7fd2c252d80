import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiLinkError, type ApiLink } from './api-link.js';

/** Documents kept on a node's disk: the ones its running pages read, plus the most recent others. */
const KEEP_SOURCES = 8;
/** A document may take this long to arrive (a large scan over a slow link); each read is bounded too. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

interface Entry { file: Promise<string>; readers: number }

/**
 * The documents a worker node's pages read, fetched once per conversion from the API node and kept
 * while pages read them (and a few more after). Each node has a folder of its own under
 * `DATA_DIR/cluster-sources`, named with its host and pid: nodes started from one working
 * directory share DATA_DIR, and one must never delete or overwrite what another reads. A document
 * streams to a temporary name and is renamed into place once whole, so a node never holds it in
 * memory nor reads half of one.
 */
export class SourceCache {
  private readonly entries = new Map<string, Entry>();

  private constructor(readonly dir: string, private readonly api: ApiLink) {}

  /** Makes this node's folder, and removes the folders of nodes of this host that are gone. */
  static async open(root: string, nodeId: string, api: ApiLink): Promise<SourceCache> {
    await fs.mkdir(root, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(root)) {
      if (!isDeadNodeFolder(name)) continue;
      await fs.rm(path.join(root, name), { recursive: true, force: true });
    }
    const dir = path.join(root, nodeId);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    return new SourceCache(dir, api);
  }

  /**
   * The document of a conversion (the id the API node gave with the authenticated task), with a
   * release to call once the page no longer reads it.
   */
  acquire(conversionId: string, dispatchId: string, signal: AbortSignal): { file: Promise<string>; release: () => void } {
    let entry = this.entries.get(conversionId);
    if (entry) this.entries.delete(conversionId); // re-inserted below: most recent last
    else {
      const target = path.join(this.dir, conversionId.replace(/[^\w-]/g, '_'));
      const file = this.download(dispatchId, target, signal);
      file.catch(() => this.entries.delete(conversionId));
      entry = { file, readers: 0 };
    }
    this.entries.set(conversionId, entry);
    entry.readers++;
    this.evict();
    const held = entry;
    return { file: entry.file, release: () => { held.readers--; } };
  }

  async close(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private async download(dispatchId: string, target: string, signal: AbortSignal): Promise<string> {
    const res = await this.api.call(`/internal/pages/${dispatchId}/source`, { signal }, DOWNLOAD_TIMEOUT_MS);
    // Recreated if something removed it (an operator, an older release sharing the folder).
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const partial = `${target}.${process.pid}.part`;
    try {
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

/** `<host>-<pid>-<random>`: a folder of a node of this host whose process is gone. */
function isDeadNodeFolder(name: string): boolean {
  const host = os.hostname();
  if (!name.startsWith(`${host}-`)) return false;
  const pid = Number(name.slice(host.length + 1).split('-')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
