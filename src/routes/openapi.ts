import type { FastifyInstance, FastifySchema } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { z } from 'zod';
import { ERRORS } from '../errors.js';
import { wsCancelledSchema, wsCompletedSchema, wsErrorSchema, wsProcessingSchema, wsSnapshotSchema } from '../schemas/conversion.js';
import { errorReplySchema } from '../schemas/status.js';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;

export interface RouteDocs {
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodType;
  querystring?: z.ZodType;
  /** Form fields (multipart and urlencoded). */
  form?: z.ZodType;
  response?: z.ZodType;
  /** A non-JSON response (a file). */
  produces?: string[];
  errors?: number[];
}

/**
 * The OpenAPI description of a route, made from the zod schemas its handler parses with. Fastify
 * does not validate or serialise with these (see registerDocs): zod in the handler is the one check.
 */
export function docs(d: RouteDocs): { schema: FastifySchema } {
  const response: Record<string, unknown> = {};
  if (d.response) response[200] = json(d.response);
  else if (d.produces) response[200] = { description: `the file (${d.produces.join(', ')})`, content: Object.fromEntries(d.produces.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) };
  for (const status of d.errors ?? []) response[status] = { ...json(errorReplySchema), description: `error: see the \`code\`` };
  return {
    schema: {
      summary: d.summary, description: d.description, tags: d.tags,
      ...(d.params ? { params: json(d.params, 'input') } : {}),
      ...(d.querystring ? { querystring: json(d.querystring, 'input') } : {}),
      ...(d.form ? { body: json(d.form, 'input'), consumes: ['multipart/form-data', 'application/x-www-form-urlencoded'] } : {}),
      ...(Object.keys(response).length ? { response } : {}),
    } as FastifySchema,
  };
}

/** Registers OpenAPI (/docs/json) and its UI (/docs). Must run before the routes are registered. */
export async function registerDocs(app: FastifyInstance, version: string): Promise<void> {
  // Route schemas are documentation: requests are checked by zod in the handlers, and replies are
  // sent as built (a response schema would silently drop fields existing clients rely on).
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    transformObject: (doc) => addWebSocketPaths(('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject) as Record<string, unknown>) as never,
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'pagemill',
        version,
        description: [
          'Self-hosted document OCR. POST /convert answers at once; follow progress on WS /ws/conversion/{id} (frames: components.schemas.Ws*) or poll /conversion-status/{id}.',
          '',
          `Error codes: ${Object.keys(ERRORS).join(', ')}.`,
        ].join('\n'),
      },
      tags: [
        { name: 'convert', description: 'submit documents (the older backend\'s routes, kept exact)' },
        { name: 'conversions', description: 'follow, fetch, cancel and delete conversions' },
        { name: 'documents', description: 'the input folder and converted Markdown (the older web frontend\'s routes)' },
        { name: 'operations', description: 'health, readiness, pool status, statistics, metrics' },
      ],
      components: {
        schemas: {
          WsSnapshot: json(wsSnapshotSchema), WsProcessing: json(wsProcessingSchema), WsCompleted: json(wsCompletedSchema),
          WsError: json(wsErrorSchema), WsCancelled: json(wsCancelledSchema),
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

/** WebSocket routes are not collected by @fastify/swagger: they are described here. */
function addWebSocketPaths(spec: Record<string, unknown>): Record<string, unknown> {
  const paths = (spec.paths ??= {}) as Record<string, unknown>;
  const frames = ['WsSnapshot', 'WsProcessing', 'WsCompleted', 'WsError', 'WsCancelled'];
  paths['/ws/conversion/{id}'] = {
    get: {
      summary: 'WebSocket: progress of one conversion',
      tags: ['conversions'],
      description: 'Upgrade to a WebSocket. JSON frames: WsSnapshot first, then WsProcessing per finished page, then WsCompleted, WsError or WsCancelled; the server then closes (1000). An unknown id gets an error frame and close 1008.',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        101: {
          description: 'Switching protocols; frames as below',
          content: { 'application/json': { schema: { oneOf: frames.map((f) => ({ $ref: `#/components/schemas/${f}` })) } } },
        },
      },
    },
  };
  return spec;
}
