import { createRequire } from 'node:module';

/**
 * How chunks are measured: OpenAI's cl100k_base byte-pair encoding (the tokenizer of
 * text-embedding-3-small/-large and ada-002), from the gpt-tokenizer package, which ships its
 * tables and needs no network. Other embedding models' tokenizers (WordPiece for MiniLM, BGE)
 * count English prose within ~10-20 % of it; leave that much room in `chunk_tokens` when
 * embedding with one of them.
 */
export const TOKENIZER_NAME = 'cl100k_base';

type Encoding = typeof import('gpt-tokenizer/encoding/cl100k_base');
let encoding: Encoding | null = null;
/**
 * Loaded on the first chunk, not with the server: its tables take ~0.4 s and ~40 MB to load, which
 * a server that is never asked for chunks should not pay (synchronous, so the chunker stays so too).
 */
function cl100k(): Encoding {
  encoding ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/cl100k_base') as Encoding;
  return encoding;
}

export const tokenCount = (text: string): number => cl100k().countTokens(text);

/** Whether `text` has at most `limit` tokens, without counting past the limit. */
export const fitsTokens = (text: string, limit: number): boolean => cl100k().isWithinTokenLimit(text, limit) !== false;

/**
 * `text` cut into pieces of at most `limit` tokens, for a run of text with no sentence or word
 * bound to cut at (a long number table read as one line, a URL): each piece the longest run of
 * whole characters that fits (found by halving), so that joined again the pieces are `text`.
 */
export function splitByTokens(text: string, limit: number): string[] {
  const chars = Array.from(text);
  const pieces: string[] = [];
  let from = 0;
  while (from < chars.length) {
    let lo = from + 1;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fitsTokens(chars.slice(from, mid).join(''), limit)) lo = mid;
      else hi = mid - 1;
    }
    pieces.push(chars.slice(from, lo).join(''));
    from = lo;
  }
  return pieces;
}
