import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import { PRIORITIES, PROMPT_MODES, type Priority, type PromptMode } from '../schemas/conversion.js';
import type { AppDeps } from '../app.js';
import { readFormInput } from './form-input.js';

function promptModeOf(value: string | undefined): PromptMode {
  if (value === undefined || value === '') return 'prompt_layout_all_en';
  if ((PROMPT_MODES as readonly string[]).includes(value)) return value as PromptMode;
  throw new AppError('invalid_prompt_mode', `Unknown prompt_mode "${value.slice(0, 100)}"; use one of: ${PROMPT_MODES.join(', ')}.`);
}

function priorityOf(value: string | undefined): Priority {
  if (value === undefined || value === '') return 'normal';
  if ((PRIORITIES as readonly string[]).includes(value)) return value as Priority;
  throw new AppError('validation_error', `Unknown priority "${value.slice(0, 100)}"; use one of: ${PRIORITIES.join(', ')}.`);
}

/** POST /convert and POST /upload: the seed's intake routes. */
export const convertRoutes: FastifyPluginAsync<AppDeps> = async (app, { service, library, config }) => {
  const tmpDir = path.join(config.DATA_DIR, 'uploads');

  app.post('/convert', async (request, reply) => {
    if (!service.isAccepting) throw new AppError('shutting_down');
    const form = await readFormInput(request, tmpDir);
    try {
      const promptMode = promptModeOf(form.fields.prompt_mode);
      const priority = priorityOf(form.fields.priority);
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
        throw new AppError('validation_error', 'Idempotency-Key must be 1–200 visible ASCII characters.');
      }
      const accepted = await service.submit({
        filename: form.fields.filename, upload: form.upload, promptMode, priority,
        password: form.fields.password || undefined, idempotencyKey: key,
      });
      return reply.code(200).send(accepted);
    } finally {
      // submit() moved the upload into place on success; on failure it must not linger.
      if (form.upload) await fs.rm(form.upload.tmpPath, { force: true });
    }
  });

  app.post('/upload', async (request) => {
    const form = await readFormInput(request, tmpDir);
    if (!form.upload) throw new AppError('missing_input', 'Send the file in the multipart field "file".');
    return library.upload(form.upload.tmpPath, form.upload.originalName);
  });
};
