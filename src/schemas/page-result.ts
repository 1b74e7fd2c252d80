import type { ConversionErrorCode } from '../errors.js';
import type { PromptMode } from './conversion.js';

/**
 * What a worker thread hands back for one page, and what the main thread stores. Plain types,
 * not zod: this crosses the thread boundary by structured clone and is produced by our own code.
 * Coordinates are pixels of the page at `dpi`, origin top-left: [x1, y1, x2, y2].
 */
export type BBox = [number, number, number, number];

/** dots.ocr cell categories. */
export const CELL_CATEGORIES = [
  'Caption', 'Footnote', 'Formula', 'List-item', 'Page-footer', 'Page-header',
  'Picture', 'Section-header', 'Table', 'Text', 'Title',
] as const;
export type CellCategory = (typeof CELL_CATEGORIES)[number];

export interface Word { text: string; bbox: BBox; confidence: number }
export interface Line { text: string; bbox: BBox; confidence: number; words: Word[] }
export interface Block {
  category: CellCategory; text: string; bbox: BBox; confidence: number; lines: Line[];
  /** Set on `Table` blocks whose structure was found; `lines` still hold every word, row by row. */
  table?: TableStructure;
}

/** One cell of a table: 0-based row and column of its top-left, its spans (1 = no span). */
export interface TableCell { row: number; col: number; row_span: number; col_span: number; text: string; bbox: BBox }

/**
 * A table's grid. `ruling`: `lines` when the cells come from drawn rules, `text` when rows and
 * columns come from the words' alignment alone, `mixed` when rules give some of the grid.
 * `header_rows` leading rows are the header (0 when none is known).
 */
export interface TableStructure { rows: number; cols: number; header_rows: number; ruling: 'lines' | 'text' | 'mixed'; cells: TableCell[] }

export type PageSource = 'text-layer' | 'ocr';

export interface PageResult {
  /** 1-based. */
  page_no: number;
  width: number;
  height: number;
  dpi: number;
  source: PageSource;
  /**
   * Why the page has that source: `text-layer` (kept), `no-text-layer`, `ocr-forced` (ocr_mode=force),
   * `implausible-text-layer: <why>` (a layer that extracts as junk, OCR'd instead in ocr_mode=auto),
   * or `text-layer: kept, …` (a layer in another script that OCR in the requested language read worse).
   */
  source_reason: string;
  /** 0–100; mean word confidence for OCR, 100 for a usable text layer. */
  confidence: number;
  text: string;
  blocks: Block[];
  /** Degrees the page image was turned (clockwise) to read it upright; 0 when it already was. */
  rotation: number;
  /**
   * Degrees of skew measured on the scan and straightened before reading (positive: the text
   * rose to the right, the page was turned clockwise by this much); 0 when none was corrected,
   * absent for pages from a text layer and for pages stored by older versions.
   */
  skew?: number;
  /** No ink on the page: OCR was skipped. */
  blank: boolean;
  /** Things the user should know (an image dropped by the pixel budget, a downscaled render). */
  warnings: string[];
  duration_ms: number;
}

/** A page's result without its blocks: what a summary, the text and the searchable PDF need. */
export type PageHead = Omit<PageResult, 'blocks'>;

/**
 * A stored page (see readStoredPage): its JSON text (which the JSON document reuses as it is;
 * decoded on first use), its fields but the blocks, read without parsing every word box, and the
 * whole result, parsed on first use.
 */
export interface StoredPage {
  readonly json: string;
  head: PageHead;
  full(): PageResult;
}

/** What the main thread records about a finished page; the rest of it is in `files`. */
export type PageRecord = Pick<PageResult, 'page_no' | 'source' | 'confidence' | 'duration_ms'>;

/** A finished page's files as text, ready to write (see workers/layout/page-files.ts). */
export interface PageFileTexts {
  /** The full result (PageResult as JSON), internal. */
  result: string;
  /** The seed's `_page_<i>.json` layout cells (layout prompt modes). */
  cells?: string;
  /** The seed's `_page_<i>.md` and `_page_<i>_nohf.md` (every mode but layout-only). */
  markdown?: string;
  markdownNoHeaderFooter?: string;
}

/** A page as a worker reads it, before it is timed and turned into files. */
export interface PageReading {
  page: Omit<PageResult, 'duration_ms'>;
  textLayerPdf?: Uint8Array;
  preview?: Uint8Array;
}

/**
 * What a page task returns. The page is serialized on the worker thread: a page of word boxes is
 * thousands of small objects, and cloning them to the main thread only to turn them into JSON
 * there cost more than the JSON itself.
 */
export interface PageOutput {
  page: PageRecord;
  files: PageFileTexts;
  /** tesseract's invisible-text PDF page (GlyphLessFont), for the searchable PDF. */
  textLayerPdf?: Uint8Array;
  /** A reduced JPEG of the page with the layout boxes drawn, for the seed's `_page_<i>.jpg`. */
  preview?: Uint8Array;
}

export interface TaskError {
  code: ConversionErrorCode;
  message: string;
  /**
   * Distributed mode: the worker node running the page stopped (killed, partitioned) — set by the
   * API node only, never taken from a worker's body. Counted apart from the page's attempts.
   */
  node_lost?: true;
}
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: TaskError };

export type DocumentKind = 'pdf' | 'image';

/** Writes a finished conversion's searchable PDF (workers/pdf/searchable-pdf.ts): the source, with each OCR'd page's text layer. */
export interface SearchablePdfTask {
  kind: DocumentKind;
  source_path: string;
  out_path: string;
  /** One entry per OCR'd page. */
  /** `skew`: the page's PageResult.skew (its text layer was read from the straightened image). */
  layers: { page_no: number; layer_path: string; rotation: number; dpi: number; skew?: number }[];
  /** Make it PDF/A-2b (workers/pdf/pdfa.ts): its title (the document's name) and producer. */
  pdfa?: { title: string; producer: string };
}

/** What building the searchable PDF gives: its pages, and for PDF/A what in it may still not conform. */
export interface SearchablePdfResult { pages: number; pdfa_problems?: string[] }

export interface InspectTask { kind: DocumentKind; path: string; password?: string }
export interface InspectResult { page_count: number }

export interface PageTask {
  kind: DocumentKind;
  path: string;
  page_no: number;
  password?: string;
  dpi: number;
  max_megapixels: number;
  /** `eng`, `eng+fra`…; read from `tessdata_dir`. */
  lang: string;
  tessdata_dir: string;
  tessdata_gzip: boolean;
  /** Restart the thread's tesseract worker after this many pages (bounds leaks in the WASM heap). */
  ocr_recycle_pages: number;
  /** auto: use a usable text layer, else OCR; force: always OCR; skip-text: any text layer is kept as is. */
  ocr_mode: 'auto' | 'force' | 'skip-text';
  /**
   * Which of the seed's page files the page gets (see workers/layout/page-files.ts); also layout analysis
   * only, without recognition (`prompt_layout_only_en`), and the `_page_<i>.jpg` preview of a read
   * page (every mode but `prompt_ocr`).
   */
  prompt_mode: PromptMode;
  /** Detect pages scanned at 90/180/270° and read them upright (needs osd data). */
  detect_orientation: boolean;
  /** Measure a scanned page's skew and straighten it before reading (DESKEW). */
  deskew: boolean;
  /** Also produce the invisible text layer for the searchable PDF. */
  text_layer_pdf: boolean;
  /** Who reads the page: the tesseract binary (child process per page) or tesseract.js. */
  ocr_engine: 'native' | 'wasm';
  /** Plain `<lang>.traineddata` files for the binary (native only). */
  native_tessdata_dir: string;
  /** Set by the runner: names the task's child processes, so a cancel can kill them. */
  task_id?: string;
}

/** Draws the `_page_<i>.jpg` of a PDF page read from its text layer (made on request, not per page). */
export interface PreviewTask {
  path: string;
  page_no: number;
  password?: string;
  max_megapixels: number;
  /** Width in pixels of the page as read; `blocks` are in those pixels. */
  page_width: number;
  blocks: Block[];
}

/**
 * Worker threads announce the OCR processes they start on this BroadcastChannel, so the main
 * thread can kill them when it stops a task: stopping a task terminates its thread, which leaves
 * a child process running on its own.
 */
export const OCR_CHILDREN_CHANNEL = 'pagemill-ocr-children';
export interface OcrChildMessage { task_id: string; pid: number }
