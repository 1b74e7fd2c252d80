import { z } from 'zod';
import { AppError } from '../errors.js';
import { TEXT_FORMATS } from '../outputs/document-formats.js';
import { checkPageRange } from '../pipeline/page-range.js';
import { parseLanguage } from '../pipeline/languages.js';
import { checkCallbackUrl } from '../pipeline/url-guard.js';
import { PRIORITIES, PROMPT_MODES, type Priority, type PromptMode } from './conversion.js';

export const OUTPUT_FORMATS = [...TEXT_FORMATS, 'pdf'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/** What a conversion produces when `formats` is not given: everything derived cheaply from page results. */
export const DEFAULT_FORMATS: readonly OutputFormat[] = TEXT_FORMATS;

export const OCR_MODES = ['auto', 'force', 'skip-text'] as const;
export type OcrMode = (typeof OCR_MODES)[number];

/** The form of POST /convert, for the API description (parseConvertOptions below checks it field by field). */
export const convertFormSchema = z.object({
  file: z.string().optional().describe('the document, as a multipart file part (PDF, PNG, JPEG, TIFF, BMP, WebP)'),
  filename: z.string().optional().describe('or: the name of a file in the input folder'),
  prompt_mode: z.enum(PROMPT_MODES).default('prompt_layout_all_en'),
  priority: z.enum(PRIORITIES).default('normal'),
  formats: z.string().default(DEFAULT_FORMATS.join(',')).describe(`comma list of ${OUTPUT_FORMATS.join(', ')}`),
  lang: z.string().default('eng').describe('eng, fra, eng+fra… (GET /languages)'),
  pages: z.string().optional().describe('page range, e.g. 1-3,7,10-'),
  ocr_mode: z.enum(OCR_MODES).default('auto'),
  password: z.string().optional().describe('password of an encrypted PDF'),
  callback_url: z.string().optional().describe('URL that gets a signed POST when the conversion completes, fails or is cancelled'),
});

export interface ConvertOptions {
  promptMode: PromptMode;
  priority: Priority;
  formats: OutputFormat[];
  lang: string;
  pages: string | null;
  ocrMode: OcrMode;
  password?: string;
  callbackUrl: string | null;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, field: string, code: 'validation_error' | 'invalid_prompt_mode' = 'validation_error'): T {
  if (value === undefined || value.trim() === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new AppError(code, `Unknown ${field} "${value.slice(0, 100)}"; use one of: ${allowed.join(', ')}.`);
}

/** The form fields of POST /convert, checked; every refusal names the field and the valid values. */
export function parseConvertOptions(fields: Record<string, string>, installedLanguages: readonly string[], allowPrivateCallbacks: boolean): ConvertOptions {
  const formats = (fields.formats ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) oneOf(f, OUTPUT_FORMATS, 'txt', 'format');
  return {
    promptMode: oneOf(fields.prompt_mode, PROMPT_MODES, 'prompt_layout_all_en', 'prompt_mode', 'invalid_prompt_mode'),
    priority: oneOf(fields.priority, PRIORITIES, 'normal', 'priority'),
    formats: formats.length ? [...new Set(formats as OutputFormat[])] : [...DEFAULT_FORMATS],
    lang: parseLanguage(fields.lang, installedLanguages),
    pages: checkPageRange(fields.pages),
    ocrMode: oneOf(fields.ocr_mode, OCR_MODES, 'auto', 'ocr_mode'),
    password: fields.password || undefined,
    callbackUrl: checkCallbackUrl(fields.callback_url, allowPrivateCallbacks),
  };
}
