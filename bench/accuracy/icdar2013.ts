/**
 * Table structure on the ICDAR 2013 table competition set (../shared/corpus/icdar2013: 67
 * born-digital PDF excerpts, 238 pages), scored by the competition's adjacency-relation measure
 * (icdar-score.ts). Every page of every document is read, so a table found where there is none
 * costs precision and a table missed costs recall (detection and structure together); the
 * `regions` figures count only found tables that overlap a true table's region (structure alone,
 * as the competition's structure task was given the regions).
 *
 * Averages: `micro` pools the relations of all documents (each relation weighs the same);
 * `per_document` is the mean of each document's precision and recall (the competition's
 * averaging), F1 from those means.
 *
 * Usage: npx tsx bench/accuracy/icdar2013.ts            (a pagemill server in default settings, over HTTP)
 *        npx tsx bench/accuracy/icdar2013.ts --direct   (the worker's page reader in this process: quick, for development)
 *        npx tsx bench/accuracy/icdar2013.ts --scanned [--dpi 200] [--all-pages]
 *          (each page rendered as a grey scan and OCR'd, in this process: rulings from the pixels, see
 *          icdar-scanned.ts; only the pages holding a true table unless --all-pages)
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Block, PageResult } from '../../src/schemas/page-result.js';
import { spawnServer, submit } from '../server-under-test.js';
import { readTruth, type TruthTable } from './icdar-truth.js';
import { readScanned } from './icdar-scanned.js';
import { addCounts, adjacencyRelations, f1, matchRelations, precision, recall, type Counts, type ScoredCell } from './icdar-score.js';

export const ICDAR_CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/icdar2013');

type PageLike = Pick<PageResult, 'page_no' | 'width' | 'height' | 'dpi' | 'blocks'>;

export interface IcdarDocument { name: string; pdf: string; str: string; reg: string }

export async function icdarDocuments(root = ICDAR_CORPUS): Promise<IcdarDocument[]> {
  const docs: IcdarDocument[] = [];
  for (const set of ['competition-dataset-eu', 'competition-dataset-us']) {
    const dir = path.join(root, set);
    for (const f of (await fs.readdir(dir)).filter((n) => n.endsWith('.pdf')).sort()) {
      const stem = path.join(dir, f.slice(0, -4));
      docs.push({ name: f.slice(0, -4), pdf: `${stem}.pdf`, str: `${stem}-str.xml`, reg: `${stem}-reg.xml` });
    }
  }
  return docs;
}

const truthCells = (t: TruthTable): ScoredCell[] => t.cells;

function predictedCells(block: Block): ScoredCell[] {
  return (block.table?.cells ?? []).map((c) => ({
    row: c.row, col: c.col, endRow: c.row + c.row_span - 1, endCol: c.col + c.col_span - 1, text: c.text,
  }));
}

/** A Table block's box in PDF points, origin bottom-left (the truth's frame). */
function boxInPoints(block: Block, page: PageLike): [number, number, number, number] {
  const k = 72 / page.dpi;
  const h = page.height * k;
  return [block.bbox[0] * k, h - block.bbox[3] * k, block.bbox[2] * k, h - block.bbox[1] * k];
}

const overlapsBox = (a: number[], b: number[]) => a[0]! < b[2]! && b[0]! < a[2]! && a[1]! < b[3]! && b[1]! < a[3]!;

export interface DocumentScore { name: string; all: Counts; regions: Counts; tables_true: number; tables_found: number }

/** One document: per page, the relations of its true tables against those of the Table blocks found. */
export function scoreDocument(name: string, truth: TruthTable[], pages: PageLike[]): DocumentScore {
  let all: Counts = { truth: 0, predicted: 0, correct: 0 };
  let regions: Counts = { truth: 0, predicted: 0, correct: 0 };
  let found = 0;
  for (const page of pages) {
    const onPage = truth.filter((t) => t.page === page.page_no);
    const trueRel = onPage.flatMap((t) => adjacencyRelations(truthCells(t)));
    const tables = page.blocks.filter((b) => b.category === 'Table' && b.table);
    found += tables.length;
    all = addCounts(all, matchRelations(trueRel, tables.flatMap((b) => adjacencyRelations(predictedCells(b)))));
    const inRegions = tables.filter((b) => onPage.some((t) => t.bbox && overlapsBox(boxInPoints(b, page), t.bbox)));
    regions = addCounts(regions, matchRelations(trueRel, inRegions.flatMap((b) => adjacencyRelations(predictedCells(b)))));
  }
  return { name, all, regions, tables_true: truth.length, tables_found: found };
}

export interface Summary { precision: number; recall: number; f1: number }
export interface IcdarReport {
  /** Headline: micro average over all relations, detection and structure together. */
  f1: number; precision: number; recall: number;
  micro: Summary; per_document: Summary;
  regions: { micro: Summary; per_document: Summary };
  by_set: Record<string, Summary>;
  per_doc: DocumentScore[];
}

const summary = (c: Counts): Summary => {
  const p = precision(c);
  const r = recall(c);
  return { precision: p, recall: r, f1: f1(p, r) };
};
const perDocument = (cs: Counts[]): Summary => {
  const p = cs.reduce((s, c) => s + precision(c), 0) / cs.length;
  const r = cs.reduce((s, c) => s + recall(c), 0) / cs.length;
  return { precision: p, recall: r, f1: f1(p, r) };
};
const total = (cs: Counts[]) => cs.reduce(addCounts, { truth: 0, predicted: 0, correct: 0 });

export function report(per: DocumentScore[]): IcdarReport {
  const micro = summary(total(per.map((d) => d.all)));
  const bySet: Record<string, Summary> = {};
  for (const set of ['eu', 'us']) bySet[set] = summary(total(per.filter((d) => d.name.startsWith(set)).map((d) => d.all)));
  return {
    ...micro,
    micro,
    per_document: perDocument(per.map((d) => d.all)),
    regions: { micro: summary(total(per.map((d) => d.regions))), per_document: perDocument(per.map((d) => d.regions)) },
    by_set: bySet,
    per_doc: per,
  };
}

/** Reads a document's pages in this process with the worker's page reader (no server). */
async function readDirect(file: string): Promise<PageLike[]> {
  const { pdfPageCount, processPdfPage } = await import('../../workers/pdf/pdf-page.js');
  const n = await pdfPageCount(file, undefined, 50);
  const pages: PageLike[] = [];
  for (let p = 1; p <= n; p++) {
    const { page } = await processPdfPage({
      kind: 'pdf', path: file, page_no: p, dpi: 300, max_megapixels: 50, lang: 'eng', tessdata_dir: '', tessdata_gzip: true,
      ocr_recycle_pages: 100, ocr_mode: 'skip-text', prompt_mode: 'prompt_layout_all_en', detect_orientation: false,
      text_layer_pdf: false, ocr_engine: 'native', native_tessdata_dir: '', deskew: true,
    });
    pages.push(page);
  }
  return pages;
}

/** Converts a document on a pagemill server (default settings) and returns its JSON pages. */
async function readOverHttp(url: string, file: string): Promise<PageLike[]> {
  const { id } = await submit(url, path.basename(file), await fs.readFile(file), { formats: 'json' });
  for (;;) {
    const rec = (await (await fetch(`${url}/conversion-status/${id}`)).json()) as { status: string };
    if (rec.status !== 'pending' && rec.status !== 'processing') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const json = (await (await fetch(`${url}/conversions/${id}/result?format=json`)).json()) as { pages: PageLike[] };
  return json.pages.filter((p) => Array.isArray(p.blocks));
}

export interface IcdarOptions { direct?: boolean; only?: string; log?: (s: string) => void; scanned?: { dpi: number; allPages: boolean } }

export async function icdarRun(opts: IcdarOptions = {}): Promise<IcdarReport> {
  const log = opts.log ?? (() => undefined);
  const docs = (await icdarDocuments()).filter((d) => !opts.only || d.name.includes(opts.only));
  let read: (file: string, truth: TruthTable[]) => Promise<PageLike[]> = readDirect;
  let stop = async () => undefined as void;
  const { scanned } = opts;
  if (scanned) read = (file, truth) => readScanned(file, truth, scanned.dpi, scanned.allPages);
  else if (!opts.direct) {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-icdar-'));
    const server = await spawnServer({ INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data') });
    read = (file) => readOverHttp(server.url, file);
    stop = async () => {
      server.child.kill('SIGTERM');
      await server.exited;
      await fs.rm(root, { recursive: true, force: true });
    };
  }
  try {
    const per: DocumentScore[] = [];
    for (const d of docs) {
      const truth = await readTruth(d.str, d.reg);
      const score = scoreDocument(d.name, truth, await read(d.pdf, truth));
      const s = summary(score.all);
      log(`${d.name}: P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} F1 ${s.f1.toFixed(3)} (tables ${score.tables_found}/${score.tables_true})`);
      per.push(score);
    }
    return report(per);
  } finally {
    await stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: {
    direct: { type: 'boolean' }, only: { type: 'string' }, quiet: { type: 'boolean' },
    scanned: { type: 'boolean' }, dpi: { type: 'string', default: '200' }, 'all-pages': { type: 'boolean' },
  } });
  const scanned = values.scanned ? { dpi: Number(values.dpi), allPages: values['all-pages'] ?? false } : undefined;
  const r = await icdarRun({ direct: values.direct, only: values.only, scanned, log: values.quiet ? undefined : console.log });
  const f = (s: Summary) => `P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} F1 ${s.f1.toFixed(3)}`;
  console.log(`micro (all relations pooled): ${f(r.micro)}`);
  console.log(`per-document mean:            ${f(r.per_document)}`);
  console.log(`in true regions, micro:       ${f(r.regions.micro)}`);
  console.log(`in true regions, per-doc:     ${f(r.regions.per_document)}`);
  for (const [k, s] of Object.entries(r.by_set)) console.log(`set ${k}: ${f(s)}`);
}
