import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { parseOr400 } from './parse.js';

const VERSION = '0.1.0';
const idParams = z.object({ id: z.string().min(1).max(100) });

/** The seed's status routes: per conversion, the pool, and liveness. */
export const statusRoutes: FastifyPluginAsync<AppDeps> = async (app, { service }) => {
  app.get('/conversion-status/:id', async (request) => service.get(parseOr400(idParams, request.params).id));

  app.get('/worker-pool-status', async () => service.poolStatus());

  app.get('/health', async (_request, reply) => {
    const pool = service.poolStatus();
    return reply.code(pool.accepting ? 200 : 503).send({
      status: pool.accepting ? 'healthy' : 'shutting_down',
      service: 'pagemill',
      version: VERSION,
      num_workers: pool.num_workers,
      active_tasks: pool.active_tasks,
      queue_size: pool.queue_size,
    });
  });
};
