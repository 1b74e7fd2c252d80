import fs from 'node:fs/promises';
import type { PageSummary, PromptMode } from '../schemas/conversion.js';
import type { PageHead, PageOutput, PageResult, StoredPage } from '../schemas/page-result.js';
import type { ConversionFiles } from './conversion-files.js';
import { fileWriter, type FileStep } from './file-writer.js';
import { pageLogs } from './page-log.js';
import type { PageRow } from '../schemas/conversion-rows.js';

/**
 * Writes one finished page: its full result (internal, appended to the conversion's page log) and
 * the seed's per-page files, as soon as the page is done, so results are there while the rest of
 * the document still runs. The log record and the files are written on the file thread (see
 * file-writer.ts); the page only counts as done once the store says so, after all of them are in
 * place (a crash in between redoes the page).
 */
export async function writePageOutputs(files: ConversionFiles, output: PageOutput): Promise<void> {
  const n = output.page.page_no;
  const texts = output.files;
  const { markdown, markdownNoHeaderFooter: noHeaderFooter } = texts;
  const steps: FileStep[] = [];
  const write = (file: string, data: string | Uint8Array | undefined) => {
    if (data !== undefined) steps.push({ op: 'write', file, data });
  };
  write(files.textLayer(n), output.textLayerPdf);
  write(files.preview(n), output.preview);
  write(files.cells(n), texts.cells);
  write(files.markdown(n), markdown);
  // A page without a header or footer has one Markdown text under both names: a hard link, where
  // the file system has them.
  if (noHeaderFooter !== undefined && noHeaderFooter === markdown) {
    steps.push({ op: 'link', existing: files.markdown(n), file: files.markdownNoHeaderFooter(n), data: noHeaderFooter });
  } else write(files.markdownNoHeaderFooter(n), noHeaderFooter);
  await Promise.all([pageLogs.append(files.pageLog(), n, texts.result), steps.length ? fileWriter.run(steps) : undefined]);
}

export async function readPageResult(files: ConversionFiles, pageNo: number): Promise<PageResult | null> {
  try {
    return (await readStoredPage(files, pageNo))?.full() ?? null;
  } catch {
    return null; // damaged past its head
  }
}

const BLOCKS_KEY = ',"blocks":';
const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * The page's result as stored; null when missing or damaged. The file has `blocks` last (see
 * pageResultJson), so its other fields parse from the text before them: a quote in a JSON string
 * is always escaped, so `,"blocks":` can only be the key. Files written with fields after the
 * blocks (older versions) are parsed whole. `full()` throws for a file damaged past its head.
 * The record is kept as bytes and only its head decoded: the word boxes after it are nine tenths
 * of a page, and decoding them for every page was a quarter of assembling a document's txt and
 * md. (The key is ASCII, and UTF-8 never puts an ASCII byte inside another character, so it is
 * found in the bytes as in the text.)
 */
export async function readStoredPage(files: ConversionFiles, pageNo: number): Promise<StoredPage | null> {
  let bytes: Buffer;
  try {
    // Conversions stored before the page log have a file per page.
    bytes = (await pageLogs.readBytes(files.pageLog(), pageNo)) ?? (await fs.readFile(files.pageResult(pageNo)));
  } catch {
    return null;
  }
  return storedPageOf(bytes);
}

/**
 * Pages `pageNos` as stored, read together (one message to the file thread, not three fs round
 * trips a page), with each page's Markdown file when `markdown` is set. A page missing from the log
 * is read from its own file, as conversions stored before the page log have them.
 */
export async function readStoredPages(files: ConversionFiles, pageNos: readonly number[], markdown: boolean): Promise<{ stored: StoredPage | null; markdown?: string }[]> {
  const log = files.pageLog();
  const where = await pageLogs.locate(log, pageNos);
  const steps: FileStep[] = pageNos.map((n, i) => (where[i] ? { op: 'read', file: log, at: where[i].at, length: where[i].length } : { op: 'read', file: files.pageResult(n) }));
  if (markdown) steps.push(...pageNos.map((n): FileStep => ({ op: 'read', file: files.markdown(n) })));
  // A read that fails gives null; a rejection is the thread itself failing: tried once more on a
  // new one, then the assembly fails rather than counting pages on disk as missing.
  const read = (await fileWriter.run(steps).catch(() => fileWriter.run(steps))) as (Uint8Array | null)[];
  return pageNos.map((_n, i) => {
    const bytes = read[i];
    const stored = bytes ? storedPageOf(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) : null;
    const md = markdown ? read[pageNos.length + i] : null;
    return md && stored ? { stored, markdown: Buffer.from(md.buffer, md.byteOffset, md.byteLength).toString('utf8') } : { stored };
  });
}

/** A page as stored, from its record's bytes (see readStoredPage); null when damaged. */
function storedPageOf(bytes: Buffer): StoredPage | null {
  // Only an object is a page (the JSON document splices the text in as one); a cut-off file is damaged.
  let end = bytes.length;
  while (end > 0 && isSpace(bytes[end - 1]!)) end--;
  if (bytes.toString('latin1', 0, 2) !== '{"' || bytes[end - 1] !== 0x7d /* } */) return null;
  try {
    let json: string | undefined;
    let full: PageResult | undefined;
    const text = () => (json ??= bytes.toString('utf8'));
    const parseFull = () => (full ??= JSON.parse(text()) as PageResult);
    const at = bytes.indexOf(BLOCKS_KEY, 0, 'latin1');
    let head = at > 0 ? (JSON.parse(`${bytes.toString('utf8', 0, at)}}`) as PageHead) : null;
    if (!head || !('blank' in head)) {
      const { blocks: _blocks, ...rest } = parseFull();
      head = rest;
    }
    return { get json() { return text(); }, head, full: parseFull };
  } catch {
    return null;
  }
}

/** One `results` entry: the keys of a dots.ocr page result, plus the page's source and outcome. */
export function pageSummary(files: ConversionFiles, row: PageRow, page: PageHead | null, mode: PromptMode): PageSummary {
  const done = row.status === 'done' && page !== null;
  return {
    page_no: row.page_no - 1,
    page_number: row.page_no,
    status: done ? 'done' : 'failed',
    source: done ? page.source : null,
    source_reason: done ? (page.source_reason ?? null) : null,
    confidence: done ? page.confidence : null,
    rotation: done ? page.rotation : null,
    blank: done ? page.blank : null,
    input_width: done ? page.width : null,
    input_height: done ? page.height : null,
    layout_info_path: done && mode !== 'prompt_ocr' ? files.cells(row.page_no) : null,
    layout_image_path: done && mode !== 'prompt_ocr' ? files.preview(row.page_no) : null,
    md_content_path: done && mode !== 'prompt_layout_only_en' ? files.markdown(row.page_no) : null,
    md_content_nohf_path: done && mode !== 'prompt_layout_only_en' ? files.markdownNoHeaderFooter(row.page_no) : null,
    error: done ? null : { page_no: row.page_no, code: row.error_code ?? 'render_failed', message: row.error ?? 'The page result is missing.' },
  };
}
