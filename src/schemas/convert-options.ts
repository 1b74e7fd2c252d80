import { z } from 'zod';
import { PRIORITIES, PROMPT_MODES, type Priority, type PromptMode } from './conversion.js';

/** The documents assembled from page results (src/outputs/document-formats.ts writes each one). */
export const TEXT_FORMATS = ['txt', 'md', 'json', 'hocr', 'alto', 'html', 'chunks'] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];

/** `pdfa`: the searchable PDF as PDF/A-2b (see workers/pdf/pdfa.ts); `pdf` is one too with PDF_OUTPUT=pdfa. */
export const OUTPUT_FORMATS = [...TEXT_FORMATS, 'pdf', 'pdfa'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/** What a conversion produces when `formats` is not given: everything derived cheaply from page results. */
export const DEFAULT_FORMATS: readonly OutputFormat[] = TEXT_FORMATS;
/**
 * Of the default formats, those made on their first download rather than when the conversion
 * completes: word-level documents (~300 KB a page of hOCR, ALTO and JSON together) that most
 * conversions never fetch. Formats named in `formats` are all made at completion.
 */
export const ON_DEMAND_FORMATS: readonly TextFormat[] = ['json', 'hocr', 'alto', 'html', 'chunks'];

/** A format's file name ending where it is not the format's name (`<stem>.<ending>`); also its download name. */
const FILE_ENDINGS: Partial<Record<OutputFormat, string>> = { chunks: 'chunks.jsonl', pdfa: 'pdfa.pdf' };
export const fileEnding = (format: OutputFormat): string => FILE_ENDINGS[format] ?? format;

/** Tokens a chunk may hold (`chunk_tokens`), counted with cl100k_base (src/outputs/chunk-tokens.ts). */
export const CHUNK_TOKENS = { default: 512, min: 64, max: 8192 } as const;

export const OCR_MODES = ['auto', 'force', 'skip-text'] as const;
export type OcrMode = (typeof OCR_MODES)[number];

/** The form of POST /convert, for the API description (parseConvertOptions in src/intake/convert-options.ts checks it field by field). */
export const convertFormSchema = z.object({
  file: z.string().optional().describe('the document, as a multipart file part (PDF, PNG, JPEG, TIFF, BMP, WebP)'),
  filename: z.string().optional().describe('or: the name of a file in the input folder'),
  source_url: z.string().optional().describe('or: an http(s) URL the server downloads the document from (public addresses only unless SOURCE_URL_ALLOW lists them; at most MAX_UPLOAD_MB)'),
  prompt_mode: z.enum(PROMPT_MODES).default('prompt_layout_all_en'),
  priority: z.enum(PRIORITIES).default('normal'),
  formats: z.string().optional().describe(`comma list of ${OUTPUT_FORMATS.join(', ')}, written when the conversion completes; when not given: ${DEFAULT_FORMATS.join(', ')}, of which ${ON_DEMAND_FORMATS.join(', ')} are made on their first download`),
  lang: z.string().default('eng').describe('eng, fra, eng+fra… (GET /languages)'),
  pages: z.string().optional().describe('page range, e.g. 1-3,7,10-'),
  ocr_mode: z.enum(OCR_MODES).default('auto'),
  password: z.string().optional().describe('password of an encrypted PDF'),
  callback_url: z.string().optional().describe('URL that gets a signed POST when the conversion completes, fails or is cancelled'),
  chunk_tokens: z.coerce.number().int().min(CHUNK_TOKENS.min).max(CHUNK_TOKENS.max).default(CHUNK_TOKENS.default)
    .describe('most tokens in one chunk of format=chunks, counted with the cl100k_base tokenizer'),
});

export interface ConvertOptions {
  promptMode: PromptMode;
  priority: Priority;
  formats: OutputFormat[];
  /** Of `formats`, those made on their first download (see ON_DEMAND_FORMATS). */
  onDemandFormats: TextFormat[];
  lang: string;
  pages: string | null;
  ocrMode: OcrMode;
  password?: string;
  callbackUrl: string | null;
  /** Most tokens in one chunk (format=chunks). */
  chunkTokens: number;
}
