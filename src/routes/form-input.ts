import '@fastify/multipart';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { multipartBodyError } from '../http/error-replies.js';

export interface FormInput {
  fields: Record<string, string>;
  upload?: { tmpPath: string; originalName: string };
}

/**
 * Reads a form sent as multipart (with an optional `file` part) or as urlencoded fields, the two
 * encodings the seed accepted. An upload is streamed to a temporary file, never held in memory;
 * on any failure the temporary file is removed before the error goes back.
 */
export async function readFormInput(request: FastifyRequest, tmpDir: string): Promise<FormInput> {
  // No prototype: a field named "constructor" or "toString" is just an unknown field.
  const fields: Record<string, string> = Object.create(null);
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(body)) fields[k] = Array.isArray(v) ? String(v[0]) : String(v);
    return { fields };
  }
  let upload: FormInput['upload'];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated) throw new AppError('validation_error', `The field "${part.fieldname}" is too long.`);
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || upload) {
        part.file.resume(); // not ours: drain it so the form can be read on
        continue;
      }
      const tmpPath = path.join(tmpDir, `tmp-${randomUUID()}`);
      upload = { tmpPath, originalName: part.filename || 'upload' };
      await pipeline(part.file, createWriteStream(tmpPath));
      if (part.file.truncated) throw new AppError('file_too_large');
    }
  } catch (err) {
    if (upload) await fs.rm(upload.tmpPath, { force: true });
    throw multipartBodyError(err);
  }
  return { fields, upload };
}
