import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import { docs } from './openapi.js';
import { prefersJson, SERVICE_DESCRIPTION, serviceDescriptionSchema } from './service-info.js';

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/**
 * The web page: static files only (no CDN), talking to the same API as everyone else. `/` is ours
 * rather than the static plugin's so that a client asking for JSON gets the service description.
 */
export const webPageRoutes: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, { root: path.resolve(PUBLIC_DIR), prefix: '/', wildcard: false, index: false });
  const rootDocs = docs({
    summary: 'The web page; with Accept: application/json, the service description',
    tags: ['operations'],
    response: serviceDescriptionSchema,
  });
  app.get('/', rootDocs, async (request, reply) => {
    if (prefersJson(request.headers.accept)) return SERVICE_DESCRIPTION;
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
};
