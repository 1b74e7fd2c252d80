import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_QUEUE } from '../../src/jobs/execution/bullmq/cluster-names.js';
import { startApiNode, startRedis, stopAll, type NodeProcess } from '../helpers/cluster-processes.js';

const USER = 'user-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';
// Bull Board's entry page, its JSON API (every job: conversion ids, paths, failure reasons) and a queue's page.
const BOARD = ['/admin/queues', '/admin/queues/api/queues', `/admin/queues/queue/${PAGE_QUEUE}`];

/** Bull Board on a real API node (real Redis): it shows every key's jobs, so only admin keys may open it. */
describe('Bull Board access', () => {
  let root: string;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  const nodes: (NodeProcess | undefined)[] = [];
  let keyed: NodeProcess;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-board-'));
    redis = await startRedis(path.join(root, 'redis'));
    keyed = await startApiNode(redis.url, path.join(root, 'keyed'), { API_KEYS: `user:${USER}`, ADMIN_API_KEYS: `root:${ADMIN}` });
    nodes.push(keyed);
  }, 120_000);
  afterAll(async () => {
    await stopAll(nodes);
    await redis?.stop();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  const get = (base: string, url: string, key?: string) => fetch(`${base}${url}`, { headers: key ? { 'x-api-key': key } : {} });

  it('answers a non-admin key 403 admin_only, on the page and on its API', async () => {
    for (const url of BOARD) {
      const res = await get(keyed.url!, url, USER);
      expect(res.status, url).toBe(403);
      expect(((await res.json()) as { code: string }).code, url).toBe('admin_only');
    }
    // The browser's own requests carry the key in the query string: refused the same way.
    const viaQuery = await get(keyed.url!, `/admin/queues/api/queues?api_key=${USER}`);
    expect(viaQuery.status).toBe(403);
    expect(((await viaQuery.json()) as { code: string }).code).toBe('admin_only');
    // the same key still reads its own numbers elsewhere
    expect((await get(keyed.url!, '/stats', USER)).status).toBe(200);
  });

  it('answers no key 401 unauthorized, as before', async () => {
    const res = await get(keyed.url!, '/admin/queues/api/queues');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
  });

  it('opens for an admin key, in the header or in ?api_key=', async () => {
    for (const url of BOARD) expect((await get(keyed.url!, url, ADMIN)).status, url).toBe(200);
    const api = await get(keyed.url!, `/admin/queues/api/queues?api_key=${ADMIN}`);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toContain(PAGE_QUEUE);
  });

  it('stays open with keys off (like every other route then)', async () => {
    const open = await startApiNode(redis!.url, path.join(root, 'open'));
    nodes.push(open);
    for (const url of BOARD) expect((await get(open.url!, url)).status, url).toBe(200);
  }, 120_000);
});
