import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.js';
import { docs } from './openapi.js';
import { VERSION } from '../version.js';
import { DEFAULT_FORMATS, OUTPUT_FORMATS } from '../schemas/convert-options.js';
import { PROMPT_MODES } from '../schemas/conversion.js';
import { frontendConfigSchema } from '../schemas/service-info.js';

/** What `GET /` answers a client that asks for JSON (the older backend's root), keyed like it. */
export const SERVICE_DESCRIPTION = {
  name: 'pagemill',
  version: VERSION,
  description: 'Self-hosted document OCR: PDFs and images in, per-page OCR in a worker pool, progress over WebSocket',
  endpoints: {
    convert: '/convert',
    upload: '/upload',
    documents: '/documents',
    status: '/conversion-status/{id}',
    progress: '/ws/conversion/{id}',
    conversions: '/conversions',
    health: '/health',
    config: '/config',
    docs: '/docs',
  },
};

/** Quality of a media type in an Accept header (0 when absent; wildcards not counted). */
function quality(accept: string, type: string): number {
  let q = 0;
  for (const part of accept.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name !== type) continue;
    const given = params.find((p) => p.startsWith('q='));
    q = Math.max(q, given ? Number(given.slice(2)) || 0 : 1);
  }
  return q;
}

/** JSON only for a client that prefers it over HTML: browsers (and `*\/*`) keep getting the page. */
export function prefersJson(accept: string | undefined): boolean {
  return accept !== undefined && quality(accept, 'application/json') > quality(accept, 'text/html');
}

/**
 * GET /config — the older frontend reads it first (and renders nothing without it). Built from
 * an explicit list of fields, never by spreading the config, so no key or secret can slip in.
 */
export const serviceInfoRoutes: FastifyPluginAsync<AppDeps> = async (app, { config, service }) => {
  const configDocs = docs({
    summary: 'Settings for web frontends (the older backend\'s shape) and the OCR settings',
    tags: ['operations'],
    response: frontendConfigSchema,
  });
  app.get('/config', configDocs, async () => ({
    basePath: config.BASE_PATH,
    appDomain: config.APP_DOMAIN,
    apiDomain: config.API_DOMAIN,
    iamDomain: config.IAM_DOMAIN,
    clientId: config.CLIENT_ID,
    iamScope: config.IAM_SCOPE,
    num_thread: config.NUM_WORKERS,
    num_workers: config.NUM_WORKERS,
    dpi: config.RENDER_DPI,
    max_page_megapixels: config.MAX_PAGE_MEGAPIXELS,
    languages: service.languages.installed,
    default_language: 'eng',
    orientation_detection: service.languages.hasOsd,
    formats: [...OUTPUT_FORMATS],
    default_formats: [...DEFAULT_FORMATS],
    prompt_modes: [...PROMPT_MODES],
    max_upload_mb: config.MAX_UPLOAD_MB,
    max_pages: config.MAX_PAGES,
    batch_size: config.BATCH_SIZE,
    version: VERSION,
  }));
};

export { serviceDescriptionSchema } from '../schemas/service-info.js';
