import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import { AppError } from './errors.js';
import type { AppDeps } from './app-deps.js';
import { registerAuth } from './http/auth.js';
import { registerCors } from './http/cors.js';
import { conversionRoutes } from './routes/conversions.js';
import { convertRoutes } from './routes/convert.js';
import { documentRoutes } from './routes/documents.js';
import { dashboardSocketRoutes, progressSocketRoutes } from './routes/progress-socket.js';
import { webPageRoutes } from './routes/web-page.js';
import { serviceInfoRoutes } from './routes/service-info.js';
import { statusRoutes } from './routes/status.js';
import { registerDocs } from './routes/openapi.js';
import { VERSION } from './version.js';
import { logSerializers } from './observability/log-redaction.js';
import { errorReply, routingErrorReply } from './http/error-replies.js';
import { clientErrorHandler } from './http/client-error-handler.js';
import { internalClusterRoutes } from './routes/internal-cluster.js';

export type { AppDeps } from './app-deps.js';

/** Builds the app: plugins, routes, error handling. Never listens (server.ts does). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    // Request lines log the URL: the serializers redact ?api_key= and other secrets from it.
    loggerInstance: deps.logger.child({}, { serializers: logSerializers }) as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    clientErrorHandler,
    // Errors Fastify raises before routing (a bad URL, a path parameter over maxParamLength) get our shape too.
    frameworkErrors: (err, _request, reply) => {
      const { status, body } = routingErrorReply(err);
      void (reply as unknown as FastifyReply).code(status).send(body);
    },
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(formbody);
  await app.register(multipart, {
    limits: {
      fileSize: config.MAX_UPLOAD_MB * 1024 * 1024,
      files: 1,
      fields: 20,
      parts: 30,
      fieldSize: 64 * 1024,
      headerPairs: 200,
    },
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await registerDocs(app, VERSION);
  await registerCors(app, config);
  registerAuth(app, deps.apiKeys, config);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const mapped = errorReply(err);
    if (mapped.databaseStorage) deps.service.storage.report(err, 'database');
    if (mapped.logAsError) request.log.error({ err }, mapped.status >= 500 && !(err instanceof AppError) ? 'unhandled error' : 'request failed');
    return reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const { status, body } = errorReply(new AppError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}; see GET /docs or docs/api.md for the API.`));
    reply.code(status).send(body);
  });

  await app.register(convertRoutes, deps);
  await app.register(statusRoutes, deps);
  await app.register(conversionRoutes, deps);
  await app.register(documentRoutes, deps);
  await app.register(progressSocketRoutes, deps);
  await app.register(dashboardSocketRoutes, deps);
  await app.register(serviceInfoRoutes, deps);
  await app.register(webPageRoutes);
  if (deps.cluster) await app.register(internalClusterRoutes, { cluster: deps.cluster });
  // Not encapsulated: Bull Board registers its own prefix, and the API-key hook must reach it.
  if (deps.dashboard) {
    await deps.dashboard(app, (err) => {
      const mapped = errorReply(err);
      if (mapped.logAsError) app.log.error({ err }, 'queue dashboard failed');
      return mapped;
    });
  }
  return app;
}
