/**
 * Every error pagemill reports, in one table: a stable `code`, the HTTP status it maps to, and a
 * message that tells the caller how to fix it. Routes reply `{ detail, code }`; conversions that
 * fail carry one of the CONVERSION_ERROR_CODES. 5xx replies never include internal text.
 */
export const ERRORS = {
  // Request errors
  validation_error: { status: 400, message: 'The request is not valid; check the fields against /docs.' },
  missing_input: { status: 400, message: 'Send a file in the multipart field "file", the name of a file in the input folder in the field "filename", or an http(s) URL in "source_url".' },
  empty_filename: { status: 400, message: 'The "filename" field is empty; give the name of a file in the input folder.' },
  invalid_filename: { status: 400, message: 'The file name must be a plain name inside the input folder: no "..", "/" or "\\".' },
  file_not_found: { status: 404, message: 'No such file in the input folder; upload it first (POST /upload) or check the name (GET /documents).' },
  invalid_prompt_mode: { status: 400, message: 'Unknown prompt_mode.' },
  unsupported_language: { status: 400, message: 'That OCR language is not installed.' },
  invalid_page_range: { status: 400, message: 'Invalid page range; use page numbers from 1 and ranges like 1-3,7,10-.' },
  format_not_produced: { status: 409, message: 'This conversion was not asked for that format; convert again with it in "formats".' },
  invalid_callback_url: { status: 400, message: 'callback_url must be a public http(s) URL.' },
  invalid_source_url: { status: 400, message: 'source_url must be an http(s) URL without user name or password, at most 2048 characters; send the document itself in "file" otherwise.' },
  source_url_refused: { status: 400, message: 'source_url points at a private, loopback or otherwise internal address, which is refused; the operator can allow such addresses in SOURCE_URL_ALLOW, or upload the file instead.' },
  source_url_unreachable: { status: 502, message: 'source_url could not be downloaded (name not found, connection refused, too many redirects or an HTTP error from that server); check that the URL opens from the server\'s network, or upload the file instead.' },
  source_url_too_large: { status: 413, message: 'The document at source_url is larger than MAX_UPLOAD_MB allows; split the document or ask the operator to raise the limit.' },
  source_url_timeout: { status: 504, message: 'Downloading source_url took longer than SOURCE_URL_TIMEOUT_S; retry, upload the file instead, or ask the operator to raise the limit.' },
  empty_file: { status: 400, message: 'The file is empty (0 bytes).' },
  unsupported_media_type: { status: 415, message: 'Unsupported file type: send a PDF or an image (PNG, JPEG, TIFF, BMP, WebP). The type is read from the content, not the name.' },
  file_too_large: { status: 413, message: 'The upload is larger than MAX_UPLOAD_MB allows; split the document or raise the limit.' },
  too_many_parts: { status: 413, message: 'The multipart form has too many parts or fields; send one file and a few fields.' },
  conversion_not_found: { status: 404, message: 'No conversion with this id; list them with GET /conversions.' },
  page_not_found: { status: 404, message: 'This conversion has no such page; pages are numbered from 1 to total_pages.' },
  page_not_ready: { status: 409, message: 'This page has not finished yet; follow /ws/conversion/:id or retry shortly.' },
  result_not_ready: { status: 409, message: 'The conversion has not completed; the result exists once status is "completed".' },
  conversion_cancelled: { status: 409, message: 'The conversion was cancelled: this page or result will never exist; convert the document again.' },
  conversion_failed: { status: 409, message: 'The conversion ended with an error (see its error_code): this page or result will never exist; fix the input and convert again.' },
  invalid_format: { status: 400, message: 'Unknown format; use one of txt, md, json, hocr, alto, html, chunks, pdf, pdfa.' },
  document_not_found: { status: 404, message: 'No converted document with this name; see GET /documents.' },
  route_not_found: { status: 404, message: 'No such route; see /docs for the API.' },
  origin_not_allowed: { status: 403, message: 'This page\'s origin may not open WebSockets here; add it to CORS_ORIGINS.' },
  unauthorized: { status: 401, message: 'A valid API key is required: send it in the X-API-Key header (or Authorization: Bearer, or ?api_key= for WebSockets and links).' },
  rate_limited: { status: 429, message: 'Too many requests for this API key; retry after Retry-After seconds.' },
  admin_only: { status: 403, message: 'Only an admin key may open this; use a key listed in ADMIN_API_KEYS.' },
  auth_rate_limited: { status: 429, message: 'Too many wrong API keys from this address; check the key and retry after Retry-After seconds.' },
  too_many_conversions: { status: 429, message: 'This API key has too many unfinished conversions; wait for some to finish or cancel some.' },
  queue_full: { status: 429, message: 'The queue is full; retry after the number of seconds in Retry-After.' },
  invalid_state: { status: 409, message: 'The conversion is not in a state that allows this.' },
  shutting_down: { status: 503, message: 'The server is shutting down and takes no new work; retry on another instance or after restart.' },
  internal_error: { status: 500, message: 'Internal server error; the server log has the details under this request id.' },

  // Conversion errors (the closed set a conversion or a page can end with)
  invalid_pdf: { status: 422, message: 'The PDF could not be read (damaged, truncated or not a PDF); re-export or repair it.' },
  invalid_image: { status: 422, message: 'The image could not be decoded; re-export it as PNG or JPEG.' },
  password_required: { status: 422, message: 'The PDF is encrypted; send its password in the "password" field.' },
  password_incorrect: { status: 422, message: 'The password given for the encrypted PDF is wrong.' },
  too_many_pages: { status: 422, message: 'The document has more pages than MAX_PAGES allows; split it or raise the limit.' },
  no_pages_selected: { status: 422, message: 'The page range selects no page of this document.' },
  image_too_large: { status: 422, message: 'The page or image exceeds the pixel budget (MAX_PAGE_MEGAPIXELS); downscale it or raise the budget.' },
  page_timeout: { status: 422, message: 'The page took longer than PAGE_TIMEOUT_S and was stopped; the file may be malformed, or raise the limit.' },
  conversion_timeout: { status: 422, message: 'The conversion took longer than CONVERSION_TIMEOUT_S and was stopped; split the document or raise the limit.' },
  render_failed: { status: 422, message: 'The page could not be rendered; the PDF page is probably damaged.' },
  ocr_failed: { status: 500, message: 'Text recognition failed on this page.' },
  worker_crashed: { status: 500, message: 'The worker processing this page crashed; the page was retried and failed again.' },
  storage_full: { status: 507, message: 'The server could not write results (disk full or not writable).' },
  cancelled: { status: 409, message: 'The conversion was cancelled.' },
  uri_too_long: { status: 414, message: 'A path parameter is too long; ids and names have at most 100 characters.' },
  request_timeout: { status: 408, message: 'The request was not received in time; send it again.' },
  headers_too_large: { status: 431, message: 'The request headers are too large; send fewer or shorter headers.' },
  storage_error: { status: 507, message: 'The server could not write results (output folder missing, read-only or not writable, name too long, or an I/O error); the operator must check OUTPUT_DIR and DATA_DIR.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const CONVERSION_ERROR_CODES = [
  'invalid_pdf', 'invalid_image', 'password_required', 'password_incorrect', 'too_many_pages', 'no_pages_selected',
  'image_too_large', 'page_timeout', 'conversion_timeout', 'render_failed', 'ocr_failed', 'worker_crashed', 'storage_full', 'cancelled',
  'storage_error',
] as const satisfies readonly ErrorCode[];
export type ConversionErrorCode = (typeof CONVERSION_ERROR_CODES)[number];

/** An error meant for the caller: its message is safe to show. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, headers: Record<string, string> = {}) {
    super(detail ?? ERRORS[code].message);
    this.code = code;
    this.status = ERRORS[code].status;
    this.headers = headers;
  }
}

export interface ErrorBody {
  detail: string;
  code: ErrorCode;
}

export function errorBody(code: ErrorCode, detail?: string): ErrorBody {
  return { detail: detail ?? ERRORS[code].message, code };
}
