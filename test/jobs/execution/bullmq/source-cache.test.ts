import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiLink, ApiLinkError } from '../../../../src/jobs/execution/bullmq/api-link.js';
import { SourceCache } from '../../../../src/jobs/execution/bullmq/source-cache.js';
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
    const a = await SourceCache.open(root, `${os.hostname()}-${process.pid}-aaaa`, api);
    const b = await SourceCache.open(root, `${os.hostname()}-${process.pid}-bbbb`, api);
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

  it('removes the folders of nodes of this host that are gone, and keeps those of live ones', async () => {
    const root = path.join(await temp.make(), 'cluster-sources');
    const dead = `${os.hostname()}-2147483646-dead`;
    const live = `${os.hostname()}-${process.ppid}-live`;
    const elsewhere = 'another-host-1-xxxx';
    for (const d of [dead, live, elsewhere]) await fs.mkdir(path.join(root, d), { recursive: true });
    const cache = await SourceCache.open(root, `${os.hostname()}-${process.pid}-mine`, api);
    expect((await fs.readdir(root)).sort()).toEqual([elsewhere, live, `${os.hostname()}-${process.pid}-mine`].sort());
    await cache.close();
  });

  it('a document cut short fails as unreachable and leaves no file behind; a later try fetches it whole', async () => {
    const cache = await SourceCache.open(path.join(await temp.make(), 'cs'), `${os.hostname()}-${process.pid}-cut`, api);
    const err = await cache.acquire('conv-cut', 'cut', signal()).file.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiLinkError);
    expect((err as ApiLinkError).problem).toBe('unreachable');
    expect(await fs.readdir(cache.dir)).toEqual([]);
    await cache.close();
  });

  it('tells a page nobody waits for from a refused secret and from an API node that is down', async () => {
    const cache = await SourceCache.open(path.join(await temp.make(), 'cs'), `${os.hostname()}-${process.pid}-err`, api);
    const problem = (p: Promise<string>) => p.then(() => 'ok', (e: ApiLinkError) => e.problem);
    expect(await problem(cache.acquire('c-gone', 'gone', signal()).file)).toBe('gone');
    const wrong = await SourceCache.open(path.join(await temp.make(), 'cs'), `${os.hostname()}-${process.pid}-bad`, new ApiLink(api.base, 'not-the-secret-at-all'));
    expect(await problem(wrong.acquire('c-any', 'abc', signal()).file)).toBe('refused');
    const down = await SourceCache.open(path.join(await temp.make(), 'cs'), `${os.hostname()}-${process.pid}-dn`, new ApiLink('http://127.0.0.1:9', SECRET));
    expect(await problem(down.acquire('c-any', 'abc', signal()).file)).toBe('unreachable');
    const stopped = new AbortController();
    stopped.abort();
    expect(await problem(cache.acquire('c-stop', 'abc', stopped.signal).file)).toBe('aborted');
    await Promise.all([cache.close(), wrong.close(), down.close()]);
  });
});
