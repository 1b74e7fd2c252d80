import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { parseOr400 } from './parse.js';
import { statsScope } from '../http/auth.js';
import { VERSION } from '../version.js';
import { docs } from './openapi.js';
import { conversionRecordSchema } from '../schemas/conversion.js';
import { healthSchema, poolStatusSchema, readinessSchema } from '../schemas/status.js';

const idParams = z.object({ id: z.string().min(1).max(100) });

/** The seed's status routes: per conversion, the pool, and liveness. */
export const statusRoutes: FastifyPluginAsync<AppDeps> = async (app, { service, metrics }) => {
  app.get('/conversion-status/:id', docs({ summary: 'A conversion\'s status (the older backend\'s route)', tags: ['conversions'], params: idParams, response: conversionRecordSchema, errors: [404] }), async (request) => service.queries.get(parseOr400(idParams, request.params).id, request.owner));

  app.get('/worker-pool-status', docs({ summary: 'The worker pool: queue and activity', tags: ['operations'], response: poolStatusSchema }), async (request) => service.queries.poolStatus(statsScope(request)));

  app.get('/ready', docs({ summary: 'Readiness: 503 while workers start, the store is unavailable or the server drains', tags: ['operations'], response: readinessSchema }), async (_request, reply) => {
    const r = service.queries.readiness();
    return reply.code(r.ready ? 200 : 503).send(r);
  });

  app.get('/metrics', docs({ summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] }), async (_request, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Liveness: a full disk is not cured by restarting the process, so /health stays 200 and says
  // "degraded" with the reason; /ready answers 503 so load balancers send work elsewhere.
  app.get('/health', docs({ summary: 'Liveness (503 while draining; "degraded" while storage fails)', tags: ['operations'], response: healthSchema }), async (_request, reply) => {
    const pool = service.queries.poolStatus();
    const storage = service.queries.readiness().reason;
    return reply.code(pool.accepting ? 200 : 503).send({
      status: pool.accepting ? (service.storage.problem ? 'degraded' : 'healthy') : 'shutting_down',
      ...(service.storage.problem ? { storage } : {}),
      service: 'pagemill',
      version: VERSION,
      num_workers: pool.num_workers,
      active_tasks: pool.active_tasks,
      queue_size: pool.queue_size,
    });
  });
};
