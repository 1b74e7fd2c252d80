import fs from 'node:fs';
import v8 from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { isClusterSecret } from '../security/cluster-auth.js';
import type { ClusterApi } from '../jobs/contracts/cluster-api.js';
import { nodeBeatSchema, pageEnvelopeSchema } from '../schemas/cluster-wire.js';

/** A page's outputs (preview JPEG and text-layer PDF included) come back in one body. */
const RESULT_LIMIT = 256 * 1024 * 1024;
const OTHER_RELEASE = 'A worker node of another pagemill release returned this page; run the same release on every node.';
const GONE = 'Nobody waits for this page any more.';

/**
 * What worker nodes call on the API node (distributed mode only): a dispatched page's task and
 * document, its result, and their heartbeat. Every route needs `Authorization: Bearer
 * CLUSTER_SECRET`; none of them is in the API description. Every body is checked against the
 * dispatch it answers (cluster-wire.ts).
 */
export async function internalClusterRoutes(app: FastifyInstance, { cluster }: { cluster: ClusterApi }): Promise<void> {
  app.addHook('onRequest', async (request) => {
    if (isClusterSecret(request.headers.authorization, cluster.secret)) return;
    // Only a caller presenting a secret is a node that may be misconfigured; anything else is a probe.
    if (request.headers.authorization?.startsWith('Bearer ')) cluster.noteRefused(request.ip);
    throw new AppError('unauthorized', 'The cluster secret is wrong: set the same CLUSTER_SECRET on every node.');
  });
  // Results are v8-serialized envelopes: Uint8Arrays travel as bytes, not as JSON arrays of numbers.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: RESULT_LIMIT }, (_req, body, done) => done(null, body));

  app.get<{ Params: { id: string } }>('/internal/pages/:id/task', { schema: { hide: true } }, async (request) => {
    const found = cluster.task(request.params.id);
    if (!found) throw new AppError('page_not_found', GONE);
    return found;
  });

  app.get<{ Params: { id: string } }>('/internal/pages/:id/source', { schema: { hide: true } }, async (request, reply) => {
    const file = cluster.sourcePath(request.params.id);
    if (!file) throw new AppError('page_not_found', GONE);
    const size = (await fs.promises.stat(file)).size;
    // The length lets a node tell a whole document from one cut short by a dropped connection.
    return reply.type('application/octet-stream').header('content-length', size).send(fs.createReadStream(file));
  });

  app.post<{ Params: { id: string }; Body: Buffer }>('/internal/pages/:id/result', { schema: { hide: true }, bodyLimit: RESULT_LIMIT }, async (request) => {
    const pageNo = cluster.pageOf(request.params.id);
    if (pageNo === undefined) {
      // Stopping: pages it no longer waits for are left to its next life, which adopts them; the
      // worker node offers the result again until it is taken.
      if (cluster.shuttingDown) throw new AppError('shutting_down');
      return { accepted: false };
    }
    let body: unknown;
    try {
      body = v8.deserialize(request.body);
    } catch {
      throw new AppError('validation_error', 'The result is not a serialized page envelope.');
    }
    const envelope = pageEnvelopeSchema(pageNo).safeParse(body);
    if (envelope.success) return { accepted: cluster.result(request.params.id, envelope.data) };
    // A worker node of another release reads pages into another shape: the page fails with a
    // reason an operator can act on, rather than as a write error on this node. Anything else
    // that does not fit (another page's number, a broken envelope) is refused and changes nothing.
    const value = (body as { ok?: unknown; value?: { page?: { page_no?: unknown }; files?: unknown } } | null)?.value;
    if ((body as { ok?: unknown } | null)?.ok === true && value?.page?.page_no === pageNo && typeof value.files !== 'object') {
      // Counted as a node loss, not an attempt: the node is misconfigured, the page may be fine.
      return { accepted: cluster.result(request.params.id, { ok: false, error: { code: 'worker_crashed', message: OTHER_RELEASE, node_lost: true } }) };
    }
    throw new AppError('validation_error', `The result does not fit page ${pageNo} of this dispatch: ${envelope.error.issues[0]?.message ?? 'invalid'}.`);
  });

  app.post('/internal/nodes/heartbeat', { schema: { hide: true } }, async (request) => {
    const beat = nodeBeatSchema.safeParse(request.body);
    if (!beat.success) throw new AppError('validation_error', 'A heartbeat is { node, threads, busy, state? }.');
    cluster.heartbeat(beat.data);
    return { ok: true };
  });
}
