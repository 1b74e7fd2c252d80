import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** The web page: static files only (no CDN), talking to the same API as everyone else. */
export const webPageRoutes: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, { root: path.resolve(PUBLIC_DIR), prefix: '/', wildcard: false, index: ['index.html'] });
};
