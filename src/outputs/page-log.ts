import fs from 'node:fs/promises';
import { fileWriter, type AppendResult } from './file-writer.js';

/**
 * A conversion's page results in one append-only file instead of a file per page. On a busy ext4
 * disk, creating a file is most of what writing a small one costs (the kernel searching for a free
 * inode; `perf`: `__ext4_new_inode` → `find_inode_bit` → `recently_deleted`), and a page of a
 * born-digital document took three new files; now two, and those two are the seed's own per-page
 * outputs.
 *
 * A record is `#<page> <bytes>\n`, the page's JSON, `\n`. A page written again (redone after a
 * crash or a retry) is appended again, and its last record is the one read. Only this process
 * writes a conversion's log (in cluster mode too: worker nodes send pages back, the API node
 * writes them), so an index of where each page starts is kept here and read from, and rebuilt
 * from the file's headers after a restart. A record cut short (a crash or a full disk mid-write)
 * is never indexed, and is cut off before the next record is appended.
 */
interface LogIndex {
  /** Where the last complete record ends: the file's length, but for a record cut short. */
  end: number;
  pages: Map<number, { at: number; length: number }>;
}

const HEADER_MAX = 32;
const HEADER = /^#(\d+) (\d+)\n/;
/** Indexes kept at once: a few conversions running and a few being downloaded. */
const INDEXES_KEPT = 32;

export class PageLogs {
  private readonly indexes = new Map<string, Promise<LogIndex>>();
  /** Appends (and first scans) of one log, one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();

  append(file: string, pageNo: number, json: string): Promise<void> {
    return this.serially(file, async () => {
      let index = await this.index(file);
      // Written on the file writer's thread, which encodes the record and cuts off whatever lies
      // past the index's end (a failed write leaves the index as it was, so whatever part of that
      // record reached the disk is cut off before the next one).
      const write = async () => (await fileWriter.run([{ op: 'append', file, page: pageNo, json, end: index.end }]))[0] as AppendResult;
      let written = await write();
      if ('shrunk' in written) {
        // Shorter than what this process wrote (changed behind its back): believe the file.
        this.indexes.delete(file);
        index = await this.index(file);
        written = await write();
        if ('shrunk' in written) throw Object.assign(new Error(`The page log ${file} changed while it was written.`), { code: 'EIO' });
      }
      index.pages.set(pageNo, { at: index.end + written.headLength, length: written.length });
      index.end += written.headLength + written.length + 1;
    });
  }

  /** The page's last complete record; null when the log has none (or no log exists). */
  async read(file: string, pageNo: number): Promise<string | null> {
    return (await this.readBytes(file, pageNo))?.toString('utf8') ?? null;
  }

  /**
   * The record as bytes, for a reader that needs only part of it decoded (a page's head, before
   * its word boxes, is a tenth of it: see readStoredPage).
   */
  async readBytes(file: string, pageNo: number): Promise<Buffer | null> {
    const index = await this.serially(file, () => this.index(file));
    const where = index.pages.get(pageNo);
    if (!where) return null;
    const handle = await fs.open(file, 'r').catch(() => null);
    if (!handle) return null;
    try {
      const buf = Buffer.allocUnsafe(where.length); // returned only when read to the end
      const { bytesRead } = await handle.read(buf, 0, where.length, where.at);
      return bytesRead === where.length ? buf : null;
    } finally {
      await handle.close();
    }
  }

  /** Where each page's last complete record lies in the log (null for a page it has none of), for reading many at once. */
  async locate(file: string, pageNos: readonly number[]): Promise<({ at: number; length: number } | null)[]> {
    const index = await this.serially(file, () => this.index(file));
    return pageNos.map((n) => index.pages.get(n) ?? null);
  }

  /** Drops what is known of a log whose conversion was removed. */
  forget(file: string): void {
    this.indexes.delete(file);
  }

  private index(file: string): Promise<LogIndex> {
    let index = this.indexes.get(file);
    if (index) {
      this.indexes.delete(file);
    } else {
      index = scan(file);
      index.catch(() => this.indexes.delete(file));
    }
    this.indexes.set(file, index);
    while (this.indexes.size > INDEXES_KEPT) this.indexes.delete(this.indexes.keys().next().value!);
    return index;
  }

  private serially<T>(file: string, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(file) ?? Promise.resolve()).then(task, task);
    const settled = run.catch(() => undefined);
    this.queues.set(file, settled);
    void settled.then(() => {
      if (this.queues.get(file) === settled) this.queues.delete(file);
    });
    return run;
  }
}

/** Reads the headers from the start, stopping at the end or at the first record cut short. */
async function scan(file: string): Promise<LogIndex> {
  const index: LogIndex = { end: 0, pages: new Map() };
  const handle = await fs.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!handle) return index;
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(HEADER_MAX);
    const last = Buffer.alloc(1);
    while (index.end < size) {
      const { bytesRead } = await handle.read(head, 0, HEADER_MAX, index.end);
      const m = HEADER.exec(head.toString('latin1', 0, bytesRead));
      if (!m) break;
      const at = index.end + m[0].length;
      const length = Number(m[2]);
      if (at + length + 1 > size) break;
      await handle.read(last, 0, 1, at + length);
      if (last[0] !== 0x0a) break;
      index.pages.set(Number(m[1]), { at, length });
      index.end = at + length + 1;
    }
    return index;
  } finally {
    await handle.close();
  }
}

/** The process's page logs (one index of each log, shared by every reader and writer). */
export const pageLogs = new PageLogs();
