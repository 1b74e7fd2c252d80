import { countTokens, decode, encode, isWithinTokenLimit } from 'gpt-tokenizer/encoding/cl100k_base';

/**
 * How chunks are measured: OpenAI's cl100k_base byte-pair encoding (the tokenizer of
 * text-embedding-3-small/-large and ada-002), from the gpt-tokenizer package, which ships its
 * tables and needs no network. Other embedding models' tokenizers (WordPiece for MiniLM, BGE)
 * count English prose within ~10-20 % of it; leave that much room in `chunk_tokens` when
 * embedding with one of them.
 */
export const TOKENIZER_NAME = 'cl100k_base';

export const tokenCount = (text: string): number => countTokens(text);

/** Whether `text` has at most `limit` tokens, without counting past the limit. */
export const fitsTokens = (text: string, limit: number): boolean => isWithinTokenLimit(text, limit) !== false;

/**
 * `text` cut into pieces of at most `limit` tokens, for a run of text with no sentence or word
 * bound to cut at (a long number table read as one line, a URL). Cuts fall between tokens, so a
 * piece may end inside a word; joined again, the pieces are `text`.
 */
export function splitByTokens(text: string, limit: number): string[] {
  const tokens = encode(text);
  const pieces: string[] = [];
  for (let i = 0; i < tokens.length; i += limit) pieces.push(decode(tokens.slice(i, i + limit)));
  return pieces;
}
