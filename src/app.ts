import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import { AppError, ERRORS, errorBody, type ErrorCode } from './errors.js';
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
import { isDiskWide, storageCodeOf } from './jobs/workflow/storage-errors.js';
import { clientErrorHandler } from './http/client-error-handler.js';
import { internalClusterRoutes } from './routes/internal-cluster.js';

export type { AppDeps } from './app-deps.js';

/** Fastify and @fastify/multipart errors a client can cause, mapped onto our codes. */
const FRAMEWORK_ERRORS: Record<string, ErrorCode> = {
  FST_REQ_FILE_TOO_LARGE: 'file_too_large',
  FST_ERR_CTP_BODY_TOO_LARGE: 'file_too_large',
  FST_PARTS_LIMIT: 'too_many_parts',
  FST_FILES_LIMIT: 'too_many_parts',
  FST_FIELDS_LIMIT: 'too_many_parts',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'validation_error',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_error',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_error',
  FST_ERR_VALIDATION: 'validation_error',
};

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
      const code: ErrorCode = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'validation_error';
      const detail = code === 'validation_error' ? 'The URL is not valid.' : undefined;
      void (reply as unknown as FastifyReply).code(ERRORS[code].status).send(errorBody(code, detail));
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
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, 'request failed');
      return reply.code(err.status).headers(err.headers).send(errorBody(err.code, err.message));
    }
    // A full or read-only disk (or database) is the operator's to fix, not a bug: 507 with the storage code.
    // Only the database makes the whole server unready from here: a read-only INPUT_DIR refusing
    // /upload must not stop conversions (the conversions' own writes report their folders).
    const storage = storageCodeOf(err);
    if (storage && isDiskWide(err)) {
      if (err.code?.startsWith('SQLITE_')) deps.service.storage.report(err, 'database');
      return reply.code(ERRORS[storage].status).send(errorBody(storage));
    }
    const mapped = FRAMEWORK_ERRORS[err.code ?? ''] ?? (err.validation ? 'validation_error' : undefined);
    if (mapped) return reply.code(ERRORS[mapped].status).send(errorBody(mapped, mapped === 'validation_error' ? err.message : undefined));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('validation_error', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal_error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}; see the README for the API.`));
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
  if (deps.dashboard) await deps.dashboard(app, {});
  return app;
}
