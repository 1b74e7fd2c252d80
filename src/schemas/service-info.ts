import { z } from 'zod';

/** GET /config: the older frontend's six settings, then pagemill's OCR settings (never a secret). */
export const frontendConfigSchema = z.object({
  basePath: z.string(),
  appDomain: z.string(),
  apiDomain: z.string(),
  iamDomain: z.string(),
  clientId: z.string(),
  iamScope: z.string(),
  num_thread: z.number().int().describe('the older backend\'s name for num_workers'),
  num_workers: z.number().int(),
  dpi: z.number().int().describe('target OCR render resolution'),
  max_page_megapixels: z.number(),
  languages: z.array(z.string()),
  default_language: z.string(),
  orientation_detection: z.boolean(),
  formats: z.array(z.string()),
  default_formats: z.array(z.string()),
  prompt_modes: z.array(z.string()),
  max_upload_mb: z.number().int(),
  max_pages: z.number().int(),
  batch_size: z.number().int(),
  version: z.string(),
});

/** GET / with `Accept: application/json`: the older backend's service description. */
export const serviceDescriptionSchema = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  endpoints: z.record(z.string(), z.string()),
});
