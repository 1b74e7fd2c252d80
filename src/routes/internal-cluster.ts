import fs from 'node:fs';
import v8 from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { isClusterSecret } from '../cluster-auth.js';
import type { ClusterApi } from '../jobs/contracts/cluster-api.js';
import type { Envelope, PageOutput } from '../schemas/page-result.js';

/** A page's outputs (preview JPEG and text-layer PDF included) come back in one body. */
const RESULT_LIMIT = 256 * 1024 * 1024;
const OTHER_RELEASE = 'A worker node of another pagemill release returned this page; run the same release on every node.';
const beatSchema = z.object({ node: z.string().min(1).max(200), threads: z.number().int().min(0).max(4096), busy: z.number().int().min(0).max(4096) });

/**
 * What worker nodes call on the API node (distributed mode only): a dispatched page's task and
 * document, its result, and their heartbeat. Every route needs `Authorization: Bearer
 * CLUSTER_SECRET`; none of them is in the API description.
 */
export async function internalClusterRoutes(app: FastifyInstance, { cluster }: { cluster: ClusterApi }): Promise<void> {
  app.addHook('onRequest', async (request) => {
    if (!isClusterSecret(request.headers.authorization, cluster.secret)) throw new AppError('unauthorized');
  });
  // Results are v8-serialized envelopes: Uint8Arrays travel as bytes, not as JSON arrays of numbers.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: RESULT_LIMIT }, (_req, body, done) => done(null, body));

  app.get<{ Params: { id: string } }>('/internal/pages/:id/task', { schema: { hide: true } }, async (request) => {
    const found = cluster.task(request.params.id);
    if (!found) throw new AppError('page_not_found', 'Nobody waits for this page any more.');
    return found;
  });

  app.get<{ Params: { id: string } }>('/internal/pages/:id/source', { schema: { hide: true } }, async (request, reply) => {
    const file = cluster.sourcePath(request.params.id);
    if (!file) throw new AppError('page_not_found', 'Nobody waits for this page any more.');
    return reply.type('application/octet-stream').send(fs.createReadStream(file));
  });

  app.post<{ Params: { id: string }; Body: Buffer }>('/internal/pages/:id/result', { schema: { hide: true }, bodyLimit: RESULT_LIMIT }, async (request) => {
    let envelope: Envelope<PageOutput>;
    try {
      envelope = v8.deserialize(request.body) as Envelope<PageOutput>;
    } catch {
      throw new AppError('validation_error', 'The result is not a serialized page envelope.');
    }
    if (typeof envelope?.ok !== 'boolean') throw new AppError('validation_error', 'The result is not a page envelope.');
    // A worker node of another release reads pages into another shape: the page fails with a
    // reason an operator can act on, rather than as a write error on this node.
    if (envelope.ok && typeof envelope.value?.files?.result !== 'string') {
      return { accepted: cluster.result(request.params.id, { ok: false, error: { code: 'worker_crashed', message: OTHER_RELEASE } }) };
    }
    return { accepted: cluster.result(request.params.id, envelope) };
  });

  app.post('/internal/nodes/heartbeat', { schema: { hide: true } }, async (request) => {
    const beat = beatSchema.safeParse(request.body);
    if (!beat.success) throw new AppError('validation_error', 'A heartbeat is { node, threads, busy }.');
    cluster.heartbeat(beat.data);
    return { ok: true };
  });
}
