// The file writer's thread (see file-writer.ts): plain JavaScript, so that it starts without the
// TypeScript loader. It runs one request at a time, in the order they came, with the synchronous
// fs calls: each is a system call made here, where a promise-based one is a hop to libuv's thread
// pool and back. A request is a list of steps; the first failed write ends it and is sent back
// with its errno code (`ENOSPC`, `EROFS`…), which the main thread turns into a storage error. A
// read that fails gives null and the request goes on.
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/** `data` wholly written at the file's end (a write near a full disk can take part of a buffer without an error). */
function writeAll(fd, data) {
  for (let at = 0; at < data.length;) at += fs.writeSync(fd, data, at, data.length - at);
}

/** Makes the file under a temporary name, then renames it to `file`: readers never see half a file. */
function placeAtomic(file, make) {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    make(tmp);
    fs.renameSync(tmp, file);
  } catch (err) {
    // The first failure is the one reported, whatever removing the temporary file says.
    try {
      fs.rmSync(tmp, { force: true });
    } catch { /* the name itself may be what failed */ }
    throw err;
  }
}

const writeFile = (file, data) => placeAtomic(file, (tmp) => fs.writeFileSync(tmp, data));

/**
 * One page log record, `#<page> <bytes>\n<json>\n`, appended after the first `end` bytes of the
 * file (what was there past them, a record cut short, is cut off first). A file shorter than `end`
 * was changed behind the writer's back: nothing is written, and the caller reads the file again.
 */
function append(step) {
  const length = Buffer.byteLength(step.json);
  const head = `#${step.page} ${length}\n`;
  // The record encoded once, into one buffer: no copies of the page's bytes to join.
  const record = Buffer.allocUnsafe(head.length + length + 1);
  record.write(head, 0, 'latin1');
  record.write(step.json, head.length, 'utf8');
  record[record.length - 1] = 0x0a;
  const fd = fs.openSync(step.file, 'a');
  try {
    const { size } = fs.fstatSync(fd);
    if (size < step.end) return { shrunk: true };
    if (size > step.end) fs.ftruncateSync(fd, step.end);
    writeAll(fd, record);
    // The head is ASCII: its length in characters is its length in bytes.
    return { headLength: head.length, length };
  } finally {
    fs.closeSync(fd);
  }
}

/** A file's bytes (`length` of them from `at`, or all); null when it cannot be read, as a missing file. */
function read(step) {
  let fd;
  try {
    fd = fs.openSync(step.file, 'r');
    const length = step.length ?? fs.fstatSync(fd).size;
    // Not from Buffer's shared pool: each read's memory is its own, to be handed over whole.
    const bytes = Buffer.allocUnsafeSlow(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, bytes, done, length - done, (step.at ?? 0) + done);
      if (n === 0) return null; // shorter than the index said: damaged
      done += n;
    }
    return bytes;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function run(step) {
  switch (step.op) {
    case 'read': return read(step);
    case 'append': return append(step);
    case 'write': return writeFile(step.file, step.data);
    case 'link':
      // A second name for the same file, where the file system has hard links; `data` where not (if given).
      try {
        return placeAtomic(step.file, (tmp) => fs.linkSync(step.existing, tmp));
      } catch (err) {
        if (step.data === undefined) throw err;
        return writeFile(step.file, step.data);
      }
    default: throw new Error(`unknown file step ${step.op}`);
  }
}

parentPort.on('message', ({ id, steps }) => {
  const results = [];
  try {
    for (const step of steps) results.push(run(step) ?? null);
    // What was read goes back without a copy.
    parentPort.postMessage({ id, results }, results.flatMap((r) => (r instanceof Uint8Array ? [r.buffer] : [])));
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err?.message ?? String(err), code: err?.code, syscall: err?.syscall, path: err?.path } });
  }
});
