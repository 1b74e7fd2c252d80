import { createHash } from 'node:crypto';
import type { BBox, PageResult, TableStructure } from '../schemas/page-result.js';
import { pageStructure, type StructureItem } from '../../workers/layout/markdown-structure.js';
import { xmlEscape } from '../../workers/layout/xml-escape.js';
import { tableHtml } from '../../workers/layout/table-markup.js';

/*
 * The document as HTML for reading and archiving: one <section> a page (a page break when printed),
 * headings, paragraphs, lists and tables (with their row and column spans) from the same page
 * structure the Markdown is made of. Every element carries its page and box (`data-page`,
 * `data-bbox` in the page's pixels at `data-dpi` on its section), so a viewer can map text back
 * onto the scan. Safe to open from anywhere: all text is escaped, there is no script, and the
 * page's own Content-Security-Policy allows nothing but its one stylesheet.
 */

const STYLE = [
  'body{font-family:serif;max-width:48em;margin:2em auto;padding:0 1em;line-height:1.4}',
  'section.page{border-top:1px solid #999;padding-top:1em}',
  'section.page+section.page{break-before:page}',
  'table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.2em .4em;vertical-align:top}',
  'pre.table{white-space:pre-wrap}.page-header,.page-footer,.footnote{font-size:.85em;color:#555}',
  '.failed{color:#a00}',
].join('');
/** The stylesheet's hash: the only thing the policy lets the page apply (no inline style attribute, no script). */
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
export const HTML_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'`;

const esc = xmlEscape;
const boxText = (b: BBox) => b.map((v) => Math.round(v)).join(',');
const union = (boxes: BBox[]): BBox => [
  Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
  Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3])),
];

/** `data-page`, `data-bbox` (all the item's boxes together) and, when it has several, each of them in `data-boxes`. */
function placeAttributes(pageNo: number, boxes: BBox[]): string {
  if (!boxes.length) return ` data-page="${pageNo}"`;
  const several = boxes.length > 1 ? ` data-boxes="${boxes.map(boxText).join(' ')}"` : '';
  return ` data-page="${pageNo}" data-bbox="${boxText(union(boxes))}"${several}`;
}

/** A category's class, for what is not body text (a caption, a running head, a footnote). */
const categoryClass = (item: StructureItem) =>
  item.category === 'Text' || item.category === 'Title' || item.category === 'Section-header' || item.category === 'List-item'
    ? '' : ` class="${item.category.toLowerCase()}"`;

/** A table with its grid (table-markup.ts): header rows in <thead>, spans as rowspan/colspan, each cell with its box. */
export function htmlTable(table: TableStructure, pageNo: number, attributes: string): string {
  return `${tableHtml(table, { table: attributes, cell: (c) => placeAttributes(pageNo, [c.bbox]) })}\n`;
}

/** Numbered items' markers are `3.` (line-text.ts); lettered ones keep their letter in the text and count as bullets. */
const plainNumber = (marker: string) => (/^\d+[.)]?$/.test(marker) ? parseInt(marker, 10) : null);

/** One page's section: its items in reading order, list items gathered into lists. */
export function htmlPage(page: PageResult): string {
  const n = page.page_no;
  const out: string[] = [`<section class="page" id="page-${n}" data-page="${n}" data-width="${page.width}" data-height="${page.height}" data-dpi="${Math.round(page.dpi)}" data-source="${page.source}">\n`];
  let list: 'ul' | 'ol' | null = null;
  const closeList = () => {
    if (list) out.push(`</${list}>\n`);
    list = null;
  };
  for (const item of pageStructure(page, true)) {
    const at = placeAttributes(n, item.boxes);
    if (item.kind !== 'list-item') closeList();
    switch (item.kind) {
      case 'heading':
        out.push(`<h${item.level}${at}>${esc(item.text)}</h${item.level}>\n`);
        break;
      case 'list-item': {
        const bullet = item.marker === '-';
        const kind = bullet ? 'ul' : 'ol';
        if (list !== kind) {
          closeList();
          out.push(`<${kind}>\n`);
          list = kind;
        }
        // The printed number, so a list that a page break or a paragraph interrupted goes on counting.
        const value = bullet ? null : plainNumber(item.marker);
        out.push(`<li${value !== null ? ` value="${value}"` : ''}${at}>${esc(item.text)}</li>\n`);
        break;
      }
      case 'verbatim':
        out.push(item.table ? htmlTable(item.table, n, at) : `<pre class="table"${at}>${esc(item.text)}</pre>\n`);
        break;
      default:
        out.push(`<p${categoryClass(item)}${at}>${esc(item.text.replace(/\s+/g, ' '))}</p>\n`);
    }
  }
  closeList();
  out.push('</section>\n');
  return out.join('');
}

export function htmlHeader(title: string, conversionId: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="pagemill">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main data-conversion-id="${esc(conversionId)}">
`;
}

export function htmlFailedPage(pageNo: number, code: string): string {
  return `<section class="page" id="page-${pageNo}" data-page="${pageNo}"><p class="failed">Page ${pageNo} could not be read (${esc(code)}).</p></section>\n`;
}

export const htmlFooter = () => '</main>\n</body>\n</html>\n';
