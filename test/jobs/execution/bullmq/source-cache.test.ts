import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiLink, ApiLinkError } from '../../../../src/jobs/execution/bullmq/api-link.js';
import { isNodeDiskError, SourceCache } from '../../../../src/jobs/execution/bullmq/source-cache.js';
import { tempDirs } from '../../../helpers/temp-dirs.js';

const SECRET = 'a-cluster-secret-of-some-length';
const temp = tempDirs('pagemill-sources-');
let server: http.Server;
let api: ApiLink;

/** The API node's source route as worker nodes see it: `/internal/pages/<doc>/source`. */
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${SECRET}`) return void res.writeHead(401).end();
    const doc = /^\/internal\/pages\/([^/]+)\/source$/.exec(req.url ?? '')?.[1];
    if (doc === 'cut') {
      // promises 1000 bytes, sends 10 and drops the connection
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
      return void setTimeout(() => res.destroy(), 20);
    }
    if (!doc || doc === 'gone') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': String(doc.length * 1000) }).end(Buffer.alloc(doc.length * 1000, doc));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = new ApiLink(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, SECRET);
});
afterAll(async () => {
  server.close();
  await temp.cleanup();
});

const signal = () => new AbortController().signal;

describe('the documents a worker node reads', () => {
  it('two nodes started from one DATA_DIR: one stopping leaves the other its documents, and a removed folder comes back', async () => {
    const root = path.join(await temp.make(), 'cluster-sources');
    const a = await SourceCache.open(root, 'node-a', api);
    const b = await SourceCache.open(root, 'node-b', api);
    const held = b.acquire('conv-1', 'abc', signal());
    const file = await held.file;
    expect((await fs.readFile(file)).toString()).toBe('abc'.repeat(1000));
    await a.close();
    expect((await fs.stat(file)).size).toBe(3000);
    // someone removes the whole folder: the next document is fetched all the same
    await fs.rm(root, { recursive: true, force: true });
    const next = await b.acquire('conv-2', 'xy', signal()).file;
    expect((await fs.stat(next)).size).toBe(2000);
    held.release();
    await b.close();
  });

  it('removes folders whose node stopped stamping them long ago, whatever their name, and keeps live ones', async () => {
    const root = path.join(await temp.make(), 'cluster-sources');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const [name, stampedAt] of [['dead-node', hourAgo], ['live-node', new Date()]] as const) {
      await fs.mkdir(path.join(root, name), { recursive: true });
      await fs.writeFile(path.join(root, name, '.alive'), '');
      await fs.utimes(path.join(root, name, '.alive'), stampedAt, stampedAt);
    }
    // a folder of another release (no stamp) counts by its own time
    await fs.mkdir(path.join(root, 'old-release'));
    await fs.utimes(path.join(root, 'old-release'), hourAgo, hourAgo);
    const cache = await SourceCache.open(root, 'this-node', api);
    expect((await fs.readdir(root)).sort()).toEqual(['live-node', 'this-node']);
    await cache.close();
  });

  it('fetches again a kept document that someone removed, and names a full or read-only disk as the node\'s', async () => {
    const cache = await SourceCache.open(path.join(await temp.make(), 'cs'), 'n-removed', api);
    const first = cache.acquire('conv-r', 'abc', signal());
    const file = await first.file;
    first.release();
    await fs.rm(file);
    const again = await cache.acquire('conv-r', 'abc', signal()).file;
    expect((await fs.stat(again)).size).toBe(3000);
    await cache.close();
    // a full or read-only disk is the node's, not the API node's being away
    expect(isNodeDiskError(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(isNodeDiskError(Object.assign(new Error('read-only'), { code: 'EROFS' }))).toBe(true);
    expect(isNodeDiskError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('a document cut short fails as unreachable and leaves no file behind; a later try fetches it whole', async () => {
    const cache = await SourceCache.open(path.join(await temp.make(), 'cs'), 'n-cut', api);
    const err = await cache.acquire('conv-cut', 'cut', signal()).file.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiLinkError);
    expect((err as ApiLinkError).problem).toBe('unreachable');
    expect((await fs.readdir(cache.dir)).filter((f) => f !== '.alive')).toEqual([]);
    await cache.close();
  });

  it('tells a page nobody waits for from a refused secret and from an API node that is down', async () => {
    const cache = await SourceCache.open(path.join(await temp.make(), 'cs'), 'n-err', api);
    const problem = (p: Promise<string>) => p.then(() => 'ok', (e: ApiLinkError) => e.problem);
    expect(await problem(cache.acquire('c-gone', 'gone', signal()).file)).toBe('gone');
    const wrong = await SourceCache.open(path.join(await temp.make(), 'cs'), 'n-bad', new ApiLink(api.base, 'not-the-secret-at-all'));
    expect(await problem(wrong.acquire('c-any', 'abc', signal()).file)).toBe('refused');
    const down = await SourceCache.open(path.join(await temp.make(), 'cs'), 'n-dn', new ApiLink('http://127.0.0.1:9', SECRET));
    expect(await problem(down.acquire('c-any', 'abc', signal()).file)).toBe('unreachable');
    const stopped = new AbortController();
    stopped.abort();
    expect(await problem(cache.acquire('c-stop', 'abc', stopped.signal).file)).toBe('aborted');
    await Promise.all([cache.close(), wrong.close(), down.close()]);
  });
});
