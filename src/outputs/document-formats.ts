import type { StoredPage } from '../schemas/page-result.js';
import { TEXT_FORMATS, type TextFormat } from '../schemas/convert-options.js';
import { altoFailedPage, altoFooter, altoHeader, altoPage } from './alto.js';
import { hocrFailedPage, hocrFooter, hocrHeader, hocrPage } from './hocr.js';
import { pageMarkdown } from '../../workers/layout/markdown.js';
import { htmlFailedPage, htmlFooter, htmlHeader, htmlPage } from './html.js';
import { CHUNKS_CONTENT_TYPE, chunksWriter } from './chunks-format.js';

/**
 * The whole-document formats built from page results, each written in one streaming pass:
 * header, then a piece per page (or per failed page), then footer. `pdf` is not here: it is made
 * from the original file in a worker (see workers/pdf/searchable-pdf.ts).
 */
export interface DocumentMeta {
  conversionId: string;
  filename: string;
  promptMode: string;
  /** Most tokens a chunk holds (the `chunks` format); CHUNK_TOKENS.default when not given. */
  chunkTokens?: number;
}

export interface DocumentFormat {
  contentType: string;
  header(meta: DocumentMeta): string;
  /**
   * `page` is the page's result as stored (its JSON text, its fields but the blocks, and the whole
   * result parsed on first use); `markdown` the page's Markdown when it was made already (see page-files.ts).
   */
  page(page: StoredPage, first: boolean, markdown?: string): string;
  failedPage(pageNo: number, code: string, first: boolean): string;
  footer(): string;
  /**
   * A format whose pieces depend on the pages before them (chunks run across pages) gives each
   * document a writer of its own: `start` returns it, and the writer's methods are used instead.
   */
  start?(meta: DocumentMeta): DocumentFormat;
}

export const DOCUMENT_FORMATS = {
  txt: {
    contentType: 'text/plain; charset=utf-8',
    header: () => '',
    // Pages are separated by a form feed, as pdftotext does.
    page: (p, first) => `${first ? '' : '\f\n'}${p.head.text}\n`,
    failedPage: (_n, _c, first) => (first ? '\n' : '\f\n\n'),
    footer: () => '',
  },
  md: {
    contentType: 'text/markdown; charset=utf-8',
    header: () => '',
    page: (p, first, markdown) => `${first ? '' : '\n---\n\n'}${(markdown ?? pageMarkdown(p.full(), true)) || '\n'}`,
    failedPage: (n, code, first) => `${first ? '' : '\n---\n\n'}<!-- page ${n} failed: ${code} -->\n`,
    footer: () => '',
  },
  json: {
    contentType: 'application/json; charset=utf-8',
    header: (m) => `{"conversion_id":${JSON.stringify(m.conversionId)},"filename":${JSON.stringify(m.filename)},"prompt_mode":${JSON.stringify(m.promptMode)},"pages":[`,
    // The stored text with `status` put first: what JSON.stringify({ status, ...page }) gives, without
    // parsing and serializing ~90 KB of word boxes a page again.
    page: (p, first) => `${first ? '' : ','}{"status":"done",${p.json.slice(1)}`,
    failedPage: (n, code, first) => `${first ? '' : ','}${JSON.stringify({ page_no: n, status: 'failed', error: { code } })}`,
    footer: () => ']}\n',
  },
  hocr: {
    contentType: 'application/xhtml+xml; charset=utf-8',
    header: (m) => hocrHeader(m.filename),
    page: (p) => hocrPage(p.full()),
    failedPage: (n) => hocrFailedPage(n),
    footer: hocrFooter,
  },
  alto: {
    contentType: 'application/xml; charset=utf-8',
    header: (m) => altoHeader(m.filename),
    page: (p) => altoPage(p.full()),
    failedPage: (n) => altoFailedPage(n),
    footer: altoFooter,
  },
  html: {
    contentType: 'text/html; charset=utf-8',
    header: (m) => htmlHeader(m.filename, m.conversionId),
    page: (p) => htmlPage(p.full()),
    failedPage: (n, code) => htmlFailedPage(n, code),
    footer: htmlFooter,
  },
  chunks: {
    contentType: CHUNKS_CONTENT_TYPE,
    header: () => '',
    page: () => {
      throw new Error('chunks are written by the writer that start() gives each document');
    },
    failedPage: () => '',
    footer: () => '',
    start: chunksWriter,
  },
} satisfies Record<TextFormat, DocumentFormat>;

// The list itself is a schema (the API describes it); re-exported for the writers' callers.
export { TEXT_FORMATS, type TextFormat };
