import v8 from 'node:v8';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterApi } from '../../src/jobs/contracts/cluster-api.js';
import { internalClusterRoutes } from '../../src/routes/internal-cluster.js';
import type { Envelope, PageOutput } from '../../src/schemas/page-result.js';

const SECRET = 'a-cluster-secret-of-some-length';

describe('a worker node posting a page result', () => {
  const delivered: Envelope<PageOutput>[] = [];
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    const cluster: ClusterApi = {
      secret: SECRET,
      task: () => undefined,
      sourcePath: () => undefined,
      result: (_id, envelope) => {
        delivered.push(envelope);
        return true;
      },
      heartbeat: () => undefined,
      registerAdmin: async () => undefined,
    };
    app = Fastify();
    await app.register(internalClusterRoutes, { cluster });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  const post = (envelope: unknown) => fetch(`${url}/internal/pages/d1/result`, {
    method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/octet-stream' }, body: v8.serialize(envelope),
  });

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
    expect(delivered.at(-1)).toEqual({ ok: false, error: { code: 'worker_crashed', message: expect.stringMatching(/another pagemill release.*same release on every node/) } });
  });
});
