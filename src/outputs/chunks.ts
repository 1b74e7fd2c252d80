import type { BBox, TableStructure } from '../schemas/page-result.js';
import type { StructureItem } from '../../workers/layout/markdown-structure.js';
import { fitsTokens, splitByTokens, tokenCount } from './chunk-tokens.js';
import { markdownRows, markdownRule } from '../../workers/layout/table-markup.js';

/*
 * Chunks for retrieval, made in one pass over the document's page structure (the items the
 * Markdown is made of, running heads and feet left out):
 * - a chunk never crosses a heading of its own level or a higher one: "2.1" may run on into
 *   "2.1.1" while it fits, never into "2.2" or "3";
 * - items (paragraphs, list items, tables) are packed whole while the chunk stays under the limit;
 *   an item too long for a chunk of its own is split at sentence bounds, then at spaces, then
 *   between tokens;
 * - a table is kept whole with its caption when the two fit in one chunk; a longer table is split
 *   between rows, its header rows repeated in every part;
 * - the limit counts the heading path and the text together, as they are embedded.
 */

export interface ChunkPlace { page: number; bbox: BBox }

export interface Chunk {
  chunk: number;
  text: string;
  /** The headings above the chunk, outermost first. */
  heading_path: string[];
  pages: number[];
  /** The boxes of the items it holds, in the pixels of each page's result. */
  boxes: ChunkPlace[];
  /** Tokens of `text` alone, and of the heading path and text as embedded (`heading_path` lines, then the text). */
  tokens: number;
  tokens_with_headings: number;
}

/** A piece of text to pack: an item, or a table with its caption. */
interface Atom { text: string; places: ChunkPlace[]; list: boolean; table?: { caption: string; table: TableStructure } }

interface OpenChunk {
  path: string[];
  level: number;
  parts: string[];
  places: ChunkPlace[];
  lastList: boolean;
  /** Tokens of the heading path and parts, as last counted or estimated (see tryAdd); -1 before the first part. */
  tokens: number;
}

/**
 * Below this share of the limit a chunk's size is estimated (its tokens so far plus the new part's),
 * above it counted again whole: counting the whole chunk at every item cost ~20 ms a dense page.
 * The estimate is off by a token at most where two parts meet (cl100k splits at the blank line
 * between them), far less than the margin left.
 */
const ESTIMATE_BELOW = 0.85;

const CAPTION = /^(table|tab\.)\s*[\dIVXLC]+\b/i;
const isCaption = (i: StructureItem | undefined) => !!i && i.kind === 'paragraph' && (i.category === 'Caption' || CAPTION.test(i.text));

/** The table as Markdown: its header rows (or an empty one: Markdown needs one) over the rule. */
function tableHead(table: TableStructure, rows: string[]): string[] {
  const head = table.header_rows > 0 ? rows.slice(0, table.header_rows) : [`|${'  |'.repeat(table.cols)}`];
  return [...head, markdownRule(table.cols)];
}

const SENTENCES = new Intl.Segmenter('en', { granularity: 'sentence' });

export class Chunker {
  private readonly path: { level: number; text: string }[] = [];
  private open: OpenChunk | null = null;
  private readonly done: Chunk[] = [];
  private count = 0;

  constructor(private readonly limit: number) {}

  /** Adds a page's items; returns the chunks finished so far (each once). */
  addPage(pageNo: number, items: StructureItem[]): Chunk[] {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const places = item.boxes.map((bbox) => ({ page: pageNo, bbox }));
      if (item.kind === 'heading') {
        this.heading(item.level, item.text, places);
        continue;
      }
      if (item.kind === 'verbatim' && item.table) {
        // Its caption, just before or just after it.
        let caption = '';
        const captionPlaces: ChunkPlace[] = [];
        const before = this.open?.parts.at(-1);
        const prev = items[i - 1];
        if (isCaption(prev) && before?.trim() === prev!.text.trim()) {
          caption = prev!.text;
          this.takeBack(prev!.boxes.length);
          captionPlaces.push(...prev!.boxes.map((bbox) => ({ page: pageNo, bbox })));
        } else if (isCaption(items[i + 1])) {
          caption = items[i + 1]!.text;
          captionPlaces.push(...items[i + 1]!.boxes.map((bbox) => ({ page: pageNo, bbox })));
          i++;
        }
        this.addTable({ text: '', places: [...captionPlaces, ...places], list: false, table: { caption, table: item.table } });
        continue;
      }
      const list = item.kind === 'list-item';
      const text = list ? `${item.marker} ${item.text}` : item.text;
      this.addText({ text, places, list });
    }
    return this.drain();
  }

  /** Finishes the open chunk (at the end, or at a page that could not be read); returns what is not yet returned. */
  end(): Chunk[] {
    this.flush();
    return this.drain();
  }

  private drain(): Chunk[] {
    return this.done.splice(0, this.done.length);
  }

  private heading(level: number, text: string, places: ChunkPlace[]): void {
    const open = this.open;
    // A deeper heading may stay in the open chunk (it crosses no heading of its level or higher).
    const absorb = open && open.parts.length > 0 && open.level > 0 && level > open.level;
    if (!absorb) this.flush();
    while (this.path.length && this.path.at(-1)!.level >= level) this.path.pop();
    this.path.push({ level, text });
    if (absorb && !this.tryAdd({ text, places, list: false })) {
      this.flush();
    }
  }

  private pathNow(): string[] {
    return this.path.map((h) => h.text);
  }

  private start(): OpenChunk {
    this.open ??= { path: this.pathNow(), level: this.path.at(-1)?.level ?? 0, parts: [], places: [], lastList: false, tokens: -1 };
    return this.open;
  }

  private joined(open: OpenChunk, atom: Atom): string {
    if (!open.parts.length) return atom.text;
    return `${open.parts.join('')}${open.lastList && atom.list ? '\n' : '\n\n'}${atom.text}`;
  }

  private withHeadings(path: string[], text: string): string {
    return path.length ? `${path.join('\n')}\n${text}` : text;
  }

  /** Adds the atom to the open chunk if the chunk still fits; false when it would not. */
  private tryAdd(atom: Atom): boolean {
    const open = this.start();
    const part = open.parts.length ? `${open.lastList && atom.list ? '\n' : '\n\n'}${atom.text}` : atom.text;
    const estimate = open.tokens < 0 ? Infinity : open.tokens + tokenCount(part);
    if (estimate <= ESTIMATE_BELOW * this.limit) open.tokens = estimate;
    else {
      const whole = this.withHeadings(open.path, this.joined(open, atom));
      if (!fitsTokens(whole, this.limit)) return false;
      open.tokens = tokenCount(whole);
    }
    open.parts.push(part);
    open.places.push(...atom.places);
    open.lastList = atom.list;
    return true;
  }

  /** Removes the open chunk's last part (a caption that goes with the table after it). */
  private takeBack(boxes: number): void {
    const open = this.open!;
    open.parts.pop();
    open.places.splice(open.places.length - boxes, boxes);
    open.lastList = false;
    open.tokens = -1;
    if (!open.parts.length) this.open = null;
  }

  private addText(atom: Atom): void {
    if (this.tryAdd(atom)) return;
    this.flush();
    if (this.tryAdd(atom)) return;
    // Longer than a chunk: its sentences, then its words, then its tokens.
    for (const piece of this.pieces(atom.text)) {
      const part = { ...atom, text: piece };
      if (!this.tryAdd(part)) {
        this.flush();
        this.tryAdd(part);
      }
    }
  }

  /** Text cut into pieces that each fit an empty chunk under the current headings. */
  private pieces(text: string): string[] {
    const budget = Math.max(Math.floor(this.limit / 4), this.limit - tokenCount(this.withHeadings(this.pathNow(), '')) - 2);
    const out: string[] = [];
    for (const { segment } of SENTENCES.segment(text)) {
      const sentence = segment.trim();
      if (!sentence) continue;
      if (fitsTokens(sentence, budget)) out.push(sentence);
      else {
        for (const word of sentence.split(/\s+/)) {
          out.push(...(fitsTokens(word, budget) ? [word] : splitByTokens(word, budget)));
        }
      }
    }
    // Pieces are joined back with spaces where they fit together (packed by the caller), their
    // size estimated as in tryAdd while well under the budget.
    const joined: string[] = [];
    let size = 0;
    for (const p of out) {
      const last = joined.at(-1);
      const added = last === undefined ? Infinity : size + tokenCount(` ${p}`);
      if (added <= ESTIMATE_BELOW * budget) {
        joined[joined.length - 1] = `${last} ${p}`;
        size = added;
      } else if (last !== undefined && fitsTokens(`${last} ${p}`, budget)) {
        joined[joined.length - 1] = `${last} ${p}`;
        size = tokenCount(joined.at(-1)!);
      } else {
        joined.push(p);
        size = tokenCount(p);
      }
    }
    return joined;
  }

  private addTable(atom: Atom): void {
    const { caption, table } = atom.table!;
    const rows = markdownRows(table, true);
    const head = tableHead(table, rows);
    const body = rows.slice(table.header_rows);
    const whole = [caption, [...head, ...body].join('\n')].filter(Boolean).join('\n\n');
    if (this.tryAdd({ ...atom, text: whole })) return;
    this.flush();
    if (this.tryAdd({ ...atom, text: whole })) return;
    // Too long for one chunk: parts of whole rows, each under the header rows; the caption leads the first.
    let lead = caption;
    let part: string[] = [];
    const text = (rs: string[]) => [lead, [...head, ...rs].join('\n')].filter(Boolean).join('\n\n');
    const emit = () => {
      this.tryAdd({ ...atom, text: text(part) });
      this.flush();
      lead = '';
      part = [];
    };
    const fits = (rs: string[]) => fitsTokens(this.withHeadings(this.pathNow(), text(rs)), this.limit);
    for (const row of body) {
      if (part.length && !fits([...part, row])) emit();
      if (!part.length && !fits([row]) && lead) {
        // The caption and the first row do not fit together: the caption goes first, on its own.
        this.addText({ text: lead, places: atom.places, list: false });
        this.flush();
        lead = '';
      }
      if (!part.length && !fits([row])) {
        // One row over the limit even under the header alone: it is cut like text.
        this.addText({ text: row, places: atom.places, list: false });
        this.flush();
        continue;
      }
      part.push(row);
    }
    if (part.length) emit();
  }

  private flush(): void {
    const open = this.open;
    this.open = null;
    if (!open || !open.parts.length) return;
    const text = open.parts.join('');
    const pages = [...new Set(open.places.map((p) => p.page))].sort((a, b) => a - b);
    // Each item's boxes as they are: a paragraph's box in one column stays apart from the next column's.
    this.done.push({
      chunk: this.count++,
      text,
      heading_path: open.path,
      pages,
      boxes: open.places.map((p) => ({ page: p.page, bbox: p.bbox.map((v) => Math.round(v)) as BBox })),
      tokens: tokenCount(text),
      tokens_with_headings: tokenCount(this.withHeadings(open.path, text)),
    });
  }
}
