import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { displayName, resolveNamedInput, sniffFile, type SniffedType } from '../../intake/input-files.js';
import { downloadSource } from '../../intake/source-download.js';
import { publicOrListed } from '../../intake/url-guard.js';

export interface SourceRequest {
  /** A file in INPUT_DIR, by name. */
  filename?: string;
  /** An upload already streamed to a temporary file under DATA_DIR. */
  upload?: { tmpPath: string; originalName: string };
  /** An http(s) URL to download the document from (then handled as an upload). */
  sourceUrl?: string;
}

export interface AcceptedSource { path: string; name: string; type: SniffedType; isUpload: boolean }

/**
 * Turns what the client sent into a document on disk we can trust: an upload is sniffed and moved
 * to a generated name (the client's name is kept for display only); a named input must resolve
 * inside INPUT_DIR; a URL is downloaded through the address guard and is then an upload like any
 * other. On failure the temporary upload is removed.
 */
export async function acceptSource(config: Config, id: string, req: SourceRequest): Promise<AcceptedSource> {
  const given = [req.upload && '"file"', req.filename !== undefined && '"filename"', req.sourceUrl !== undefined && '"source_url"'].filter(Boolean);
  if (given.length > 1) {
    if (req.upload) await fs.rm(req.upload.tmpPath, { force: true });
    throw new AppError('validation_error', `Send one document: ${given.join(' and ')} were both given.`);
  }
  if (req.sourceUrl !== undefined) return acceptSource(config, id, { upload: await download(config, req.sourceUrl) });
  try {
    if (req.upload) {
      const type = await sniffFile(req.upload.tmpPath);
      const target = path.join(config.DATA_DIR, 'uploads', `${id}${type.ext}`);
      await fs.rename(req.upload.tmpPath, target);
      return { path: target, name: displayName(req.upload.originalName), type, isUpload: true };
    }
    if (req.filename !== undefined) {
      const real = await resolveNamedInput(config.INPUT_DIR, req.filename);
      return { path: real, name: req.filename, type: await sniffFile(real), isUpload: false };
    }
    throw new AppError('missing_input');
  } catch (err) {
    if (req.upload) await fs.rm(req.upload.tmpPath, { force: true });
    throw err;
  }
}

/** A document by URL, downloaded where uploads are streamed (a crash leaves it to clearStaleUploads). */
async function download(config: Config, sourceUrl: string): Promise<{ tmpPath: string; originalName: string }> {
  const tmpPath = path.join(config.DATA_DIR, 'uploads', `tmp-${randomUUID()}`);
  try {
    const { originalName } = await downloadSource(sourceUrl, tmpPath, {
      allows: publicOrListed(config.SOURCE_URL_ALLOW),
      maxBytes: config.MAX_UPLOAD_MB * 1024 * 1024,
      timeoutMs: config.SOURCE_URL_TIMEOUT_S * 1000,
      maxRedirects: config.SOURCE_URL_MAX_REDIRECTS,
    });
    return { tmpPath, originalName };
  } catch (err) {
    await fs.rm(tmpPath, { force: true });
    throw err;
  }
}

/** Seconds until the queue has room, from the measured throughput (bounded to 1 s – 10 min). */
export function retryAfterSeconds(queuedPages: number, pagesPerMinute: number): number {
  if (pagesPerMinute <= 0) return 30;
  return Math.min(600, Math.max(1, Math.ceil((queuedPages / pagesPerMinute) * 60 * 0.1)));
}
