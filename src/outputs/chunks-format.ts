import { CHUNK_TOKENS } from '../schemas/convert-options.js';
import type { StoredPage } from '../schemas/page-result.js';
import { pageStructure } from '../../workers/layout/markdown-structure.js';
import { Chunker, type Chunk } from './chunks.js';

/**
 * The `chunks` document: JSON Lines, one chunk an object (see chunks.ts). Chunks run across pages,
 * so each document gets a Chunker of its own (document-formats.ts calls `chunksWriter` through the
 * format's `start`); a page's finished chunks are written as it is read, and the last one at the
 * end. Running heads and feet are left out (the `_nohf` structure): repeated on every page, they
 * would only add noise to each chunk.
 */
export const CHUNKS_CONTENT_TYPE = 'application/jsonl; charset=utf-8';

export function chunksWriter(meta: { conversionId: string; chunkTokens?: number }) {
  const chunker = new Chunker(meta.chunkTokens ?? CHUNK_TOKENS.default);
  const lines = (chunks: Chunk[]) => chunks.map((c) => `${JSON.stringify({ ...c, conversion_id: meta.conversionId })}\n`).join('');
  return {
    contentType: CHUNKS_CONTENT_TYPE,
    header: () => '',
    page: (p: StoredPage) => lines(chunker.addPage(p.head.page_no, pageStructure(p.full(), false))),
    // A page that could not be read adds no chunk; the chunks on either side of it stay apart.
    failedPage: () => lines(chunker.end()),
    footer: () => lines(chunker.end()),
  };
}
