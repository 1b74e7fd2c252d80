import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import { z } from 'zod';
import { acceptedReplySchema } from '../schemas/conversion.js';
import { convertFormSchema } from '../schemas/convert-options.js';
import { parseConvertOptions } from '../intake/convert-options.js';
import { languagesSchema, uploadReplySchema } from '../schemas/status.js';
import { docs } from './openapi.js';
import type { AppDeps } from '../app-deps.js';
import { readFormInput } from './form-input.js';

/** POST /convert and POST /upload: the seed's intake routes. */
export const convertRoutes: FastifyPluginAsync<AppDeps> = async (app, { service, library, config }) => {
  const tmpDir = path.join(config.DATA_DIR, 'uploads');

  app.post('/convert', docs({
    summary: 'Convert a document', tags: ['convert'], form: convertFormSchema, response: acceptedReplySchema, errors: [400, 404, 413, 415, 429, 502, 503, 504],
    description: 'Answers at once with a conversion id; the work runs in the background. The document comes as a file part, a name in the input folder, or source_url (downloaded before the reply, through the address guard: 400 source_url_refused, 413 source_url_too_large, 502 source_url_unreachable, 504 source_url_timeout, 415 when the bytes are not a PDF or an image). Header Idempotency-Key: a repeated request returns the first conversion.',
  }), async (request, reply) => {
    if (!service.operations.isAccepting) throw new AppError('shutting_down');
    const form = await readFormInput(request, tmpDir);
    try {
      const options = parseConvertOptions(form.fields, service.languages.installed, config.WEBHOOK_ALLOW_PRIVATE);
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
        throw new AppError('validation_error', 'Idempotency-Key must be 1–200 visible ASCII characters.');
      }
      const sourceUrl = form.fields.source_url?.trim() || undefined;
      const accepted = await service.admission.submit({
        filename: form.fields.filename, upload: form.upload, sourceUrl, options, idempotencyKey: key, owner: request.owner,
      });
      return reply.code(200).send(accepted);
    } finally {
      // submit() moved the upload into place on success; on failure it must not linger.
      if (form.upload) await fs.rm(form.upload.tmpPath, { force: true });
    }
  });

  app.get('/languages', docs({ summary: 'Installed OCR languages', tags: ['operations'], response: languagesSchema }), async () => ({
    languages: service.languages.installed, default: 'eng', orientation_detection: service.languages.hasOsd,
    engine: service.languages.ocr?.engine ?? 'wasm',
    engines: service.languages.ocr?.engines ?? Object.fromEntries(service.languages.installed.map((l) => [l, ['wasm' as const]])),
  }));

  app.post('/upload', docs({
    summary: 'Upload a file into the input folder', tags: ['documents'], form: z.object({ file: z.string().describe('the file (multipart)') }), response: uploadReplySchema, errors: [400, 413, 415],
  }), async (request) => {
    const form = await readFormInput(request, tmpDir);
    if (!form.upload) throw new AppError('missing_input', 'Send the file in the multipart field "file".');
    return library.upload(form.upload.tmpPath, form.upload.originalName, request.owner);
  });
};
