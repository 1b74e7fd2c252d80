import v8 from 'node:v8';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterApi, NodeBeat } from '../../src/jobs/contracts/cluster-api.js';
import { internalClusterRoutes } from '../../src/routes/internal-cluster.js';
import type { Envelope, PageOutput } from '../../src/schemas/page-result.js';

const SECRET = 'a-cluster-secret-of-some-length';

describe('a worker node posting a page result', () => {
  const delivered: Envelope<PageOutput>[] = [];
  const refused: string[] = [];
  const beats: NodeBeat[] = [];
  let app: FastifyInstance;
  let url: string;

  const state = { shuttingDown: false };
  beforeAll(async () => {
    const cluster: ClusterApi = {
      secret: SECRET,
      get shuttingDown() {
        return state.shuttingDown;
      },
      task: () => undefined,
      sourcePath: () => undefined,
      // d1 waits for page 1; any other dispatch id is unknown (done, cancelled, or never sent)
      pageOf: (id) => (id === 'd1' ? 1 : undefined),
      result: (_id, envelope) => {
        delivered.push(envelope);
        return true;
      },
      heartbeat: (beat) => beats.push(beat),
      nodes: () => [],
      refused: () => [],
      problem: () => null,
      noteRefused: (address) => refused.push(address),
    };
    app = Fastify();
    await app.register(internalClusterRoutes, { cluster });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  const post = (envelope: unknown, dispatch = 'd1', secret = SECRET) => fetch(`${url}/internal/pages/${dispatch}/result`, {
    method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/octet-stream' }, body: v8.serialize(envelope),
  });
  const page = (pageNo: unknown, files: Record<string, unknown> = { result: '{}' }) =>
    ({ ok: true, value: { page: { page_no: pageNo, source: 'ocr', confidence: 90, duration_ms: 5 }, files } });

  it('delivers a result in this release\'s shape as it is', async () => {
    const output: PageOutput = { page: { page_no: 1, source: 'ocr', confidence: 91, duration_ms: 5 }, files: { result: '{"page_no":1}', markdown: 'Hello\n' } };
    const res = await post({ ok: true, value: output });
    expect(await res.json()).toEqual({ accepted: true });
    expect(delivered.at(-1)).toEqual({ ok: true, value: output });
  });

  it('fails the page, naming the release mismatch, when the result has another release\'s shape', async () => {
    // an older release sent the full page result back, without `files`
    const res = await post({ ok: true, value: { page: { page_no: 1, source: 'ocr', confidence: 91, blocks: [], text: 'Hello' } } });
    expect(res.status).toBe(200);
    // counted as a node loss (the node is misconfigured), not as an attempt of the page
    expect(delivered.at(-1)).toEqual({
      ok: false, error: { code: 'worker_crashed', message: expect.stringMatching(/another pagemill release.*same release on every node/), node_lost: true },
    });
  });

  it.each([
    ['another page\'s number (it would overwrite that page\'s files)', page(2)],
    ['a page number that is not a number (it would cut the page log short)', page('1')],
    ['a page number that is a path', page('../../x')],
    ['a file text that is not text', page(1, { result: { nested: true } })],
    ['bytes that are not bytes', { ...page(1), value: { ...page(1).value, textLayerPdf: 'not bytes' } }],
    ['{ ok: false } with no error (it would fail the whole conversion)', { ok: false }],
    ['an error code outside the closed set', { ok: false, error: { code: 'rm -rf', message: 'x' } }],
    ['no envelope at all', 'hello'],
  ])('refuses %s with validation_error and delivers nothing', async (_what, body) => {
    const before = delivered.length;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('validation_error');
    expect(delivered.length).toBe(before);
  });

  it('drops node_lost from a worker\'s body: only the API node says a node stopped', async () => {
    const res = await post({ ok: false, error: { code: 'worker_crashed', message: 'thread died', node_lost: true } });
    expect(await res.json()).toEqual({ accepted: true });
    expect(delivered.at(-1)).toEqual({ ok: false, error: { code: 'worker_crashed', message: 'thread died' } });
  });

  it('answers accepted: false for a dispatch nobody waits for, without reading its body', async () => {
    const before = delivered.length;
    const res = await post(page(1), 'gone');
    expect(await res.json()).toEqual({ accepted: false });
    expect(delivered.length).toBe(before);
  });

  it('refuses a wrong secret with 401 and notes the address as a refused node; a request with no secret is only refused', async () => {
    const probe = await fetch(`${url}/internal/nodes/heartbeat`, { method: 'POST' });
    expect(probe.status).toBe(401);
    expect(refused).toEqual([]);
    const res = await post(page(1), 'd1', 'a-wrong-secret-of-valid-length');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
    expect(refused).toEqual(['127.0.0.1']);
  });

  it('while the API node stops, asks for a result it no longer waits for again (503), and still takes those it waits for', async () => {
    state.shuttingDown = true;
    try {
      const gone = await post(page(1), 'gone');
      expect(gone.status).toBe(503);
      expect(((await gone.json()) as { code: string }).code).toBe('shutting_down');
      expect(await (await post(page(1))).json()).toEqual({ accepted: true });
    } finally {
      state.shuttingDown = false;
    }
  });

  it('takes a heartbeat with the node\'s state, and refuses one that is not a heartbeat', async () => {
    const beat = (body: unknown) => fetch(`${url}/internal/nodes/heartbeat`, {
      method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await beat({ node: 'n1', threads: 2, busy: 0, state: 'quarantined', reason: 'pages failed fast' })).status).toBe(200);
    expect(beats.at(-1)).toEqual({ node: 'n1', threads: 2, busy: 0, state: 'quarantined', reason: 'pages failed fast' });
    expect((await beat({ node: 'n1', threads: 2, busy: 0 })).status).toBe(200);
    expect(beats.at(-1)!.state).toBe('taking_pages');
    expect((await beat({ node: 'n1', threads: 'many' })).status).toBe(400);
  });
});
