import type { ConversionErrorCode } from '../errors.js';
import type { DocumentKind, PageSource } from './page-result.js';
import type { ConversionStatus, Priority, PromptMode } from './conversion.js';
import type { OcrMode } from './convert-options.js';

/** What the conversion store keeps: a conversion and its pages, as rows (see ConversionStore). */
export interface ConversionRow {
  id: string;
  filename: string;
  source_path: string;
  source_is_upload: number;
  source_stem: string;
  output_stem: string;
  kind: DocumentKind;
  prompt_mode: PromptMode;
  priority: Priority;
  status: ConversionStatus;
  message: string;
  error: string | null;
  error_code: ConversionErrorCode | null;
  total_pages: number | null;
  pages_done: number;
  pages_failed: number;
  last_page: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /**
   * A PDF's password, kept so a restart can resume it: sealed with the SecretBox when the store has
   * one (read it with passwordOf), and cleared when the conversion ends.
   */
  password: string | null;
  idempotency_key: string | null;
  /** Comma-separated output formats. */
  formats: string;
  /** Comma-separated: those of `formats` made on their first download, not at completion ('' none). */
  on_demand_formats: string;
  lang: string;
  page_range: string | null;
  ocr_mode: OcrMode;
  /** Pages in the document (total_pages counts the selected ones). */
  document_pages: number | null;
  callback_url: string | null;
  /** The API key name that submitted it (null with keys off). */
  owner: string | null;
  webhook_status: 'pending' | 'delivered' | 'failed' | null;
  webhook_attempts: number;
  /** Tries of the current whole-conversion step (inspect, then assemble): one that kills the process is not replayed forever. */
  step_attempts: number;
  /** Most tokens in one chunk of the `chunks` document. */
  chunk_tokens: number;
}

export type PageStatus = 'queued' | 'running' | 'done' | 'failed';

export interface PageRow {
  conversion_id: string;
  page_no: number;
  status: PageStatus;
  source: PageSource | null;
  confidence: number | null;
  error_code: ConversionErrorCode | null;
  error: string | null;
  /** Tries that could have crashed a worker: runs in this process, and thread crashes on worker nodes. */
  attempts: number;
  /** Worker nodes that stopped while they ran this page (not counted as attempts). */
  node_losses: number;
  duration_ms: number | null;
  finished_at: string | null;
}

export type NewConversion = Pick<ConversionRow,
  'id' | 'filename' | 'source_path' | 'source_is_upload' | 'source_stem' | 'output_stem' | 'kind' | 'prompt_mode' | 'priority' | 'message' | 'created_at'
  | 'password' | 'idempotency_key' | 'formats' | 'on_demand_formats' | 'lang' | 'page_range' | 'ocr_mode' | 'callback_url' | 'owner'>
  & Partial<Pick<ConversionRow, 'chunk_tokens'>>;

export interface PageOutcome {
  status: 'done' | 'failed';
  source?: PageSource;
  confidence?: number;
  error_code?: ConversionErrorCode;
  error?: string;
  duration_ms?: number;
}


export type BatchTally = { finished: number; failed: number; running: number; n: number };
