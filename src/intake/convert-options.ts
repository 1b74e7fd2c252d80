import { AppError } from '../errors.js';
import { CHUNK_TOKENS, DEFAULT_FORMATS, ON_DEMAND_FORMATS, OCR_MODES, OUTPUT_FORMATS, type ConvertOptions, type OutputFormat } from '../schemas/convert-options.js';
import { PRIORITIES, PROMPT_MODES } from '../schemas/conversion.js';
import { checkPageRange } from './page-range.js';
import { parseLanguage } from '../languages/languages.js';
import { checkCallbackUrl } from './url-guard.js';

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, field: string, code: 'validation_error' | 'invalid_prompt_mode' = 'validation_error'): T {
  if (value === undefined || value.trim() === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new AppError(code, `Unknown ${field} "${value.slice(0, 100)}"; use one of: ${allowed.join(', ')}.`);
}

/** `chunk_tokens`: a whole number of tokens within CHUNK_TOKENS' bounds, or the default. */
function parseChunkTokens(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return CHUNK_TOKENS.default;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < CHUNK_TOKENS.min || n > CHUNK_TOKENS.max) {
    throw new AppError('validation_error', `chunk_tokens must be a whole number from ${CHUNK_TOKENS.min} to ${CHUNK_TOKENS.max}; got "${value.slice(0, 20)}".`);
  }
  return n;
}

/** The form fields of POST /convert, checked; every refusal names the field and the valid values. */
export function parseConvertOptions(fields: Record<string, string>, installedLanguages: readonly string[], allowPrivateCallbacks: boolean): ConvertOptions {
  const formats = (fields.formats ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) oneOf(f, OUTPUT_FORMATS, 'txt', 'format');
  return {
    promptMode: oneOf(fields.prompt_mode, PROMPT_MODES, 'prompt_layout_all_en', 'prompt_mode', 'invalid_prompt_mode'),
    priority: oneOf(fields.priority, PRIORITIES, 'normal', 'priority'),
    formats: formats.length ? [...new Set(formats as OutputFormat[])] : [...DEFAULT_FORMATS],
    onDemandFormats: formats.length ? [] : [...ON_DEMAND_FORMATS],
    lang: parseLanguage(fields.lang, installedLanguages),
    pages: checkPageRange(fields.pages),
    ocrMode: oneOf(fields.ocr_mode, OCR_MODES, 'auto', 'ocr_mode'),
    password: fields.password || undefined,
    callbackUrl: checkCallbackUrl(fields.callback_url, allowPrivateCallbacks),
    chunkTokens: parseChunkTokens(fields.chunk_tokens),
  };
}
