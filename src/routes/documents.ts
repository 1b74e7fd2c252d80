import fs from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { parseOr400 } from './parse.js';
import { docs } from './openapi.js';
import { documentsReplySchema, markdownFilesReplySchema, markdownReplySchema } from '../schemas/status.js';

const stemParams = z.object({ stem: z.string().min(1).max(255) });
const pageQuery = z.object({ page_no: z.coerce.number().int().min(0).optional() });

/** The seed's document routes, used by the existing web frontend. */
export const documentRoutes: FastifyPluginAsync<AppDeps> = async (app, { library }) => {
  app.get('/documents', docs({ summary: 'Files in the input folder and whether they are converted', tags: ['documents'], response: documentsReplySchema }), async (request) => library.documents(request.owner));

  app.get('/markdown/:stem', docs({ summary: 'Markdown of a converted document (page_no from 0 for one page)', tags: ['documents'], params: stemParams, querystring: pageQuery, response: markdownReplySchema, errors: [404] }), async (request) => {
    const { stem } = parseOr400(stemParams, request.params);
    const { page_no } = parseOr400(pageQuery, request.query);
    return library.markdown(stem, page_no, request.owner);
  });

  app.get('/image/:stem', docs({ summary: 'A page image with its layout boxes', tags: ['documents'], params: stemParams, querystring: pageQuery, produces: ['image/jpeg'], errors: [404] }), async (request, reply) => {
    const { stem } = parseOr400(stemParams, request.params);
    const { page_no } = parseOr400(pageQuery, request.query);
    const file = await library.pageImage(stem, page_no ?? 0, request.owner);
    return reply.header('content-type', 'image/jpeg').send(fs.createReadStream(file));
  });

  app.get('/markdown-files/:stem', docs({ summary: 'The per-page Markdown files of a document', tags: ['documents'], params: stemParams, response: markdownFilesReplySchema, errors: [404] }), async (request) => library.markdownFiles(parseOr400(stemParams, request.params).stem, request.owner));
};
