import type { TableCell, TableStructure } from '../../src/schemas/page-result.js';
import { xmlEscape } from './xml-escape.js';

/**
 * A found table as text: a Markdown pipe table when every cell is one row and one column, else
 * HTML (Markdown has no spans) — the same HTML the older backend's model put in a layout cell's
 * `text`. Pure.
 */

/** The table's cells by position, top-left cells only (a spanning cell appears once). */
function grid(table: TableStructure): (TableCell | undefined)[][] {
  const rows: (TableCell | undefined)[][] = Array.from({ length: table.rows }, () => new Array(table.cols).fill(undefined));
  for (const cell of table.cells) {
    const row = rows[cell.row];
    if (row && cell.col < table.cols) row[cell.col] = cell;
  }
  return rows;
}

const spans = (table: TableStructure) => table.cells.some((c) => c.row_span > 1 || c.col_span > 1);

/** One line of a cell: a pipe or a line break would end the cell early. */
const pipeCell = (text: string) => text.replace(/\s+/g, ' ').trim().replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

/**
 * The table's rows as Markdown table rows. `fillSpans`: a spanning cell's text stands in every place
 * it covers (for text cut between rows, as chunks are); else only in its top-left place.
 */
export function markdownRows(table: TableStructure, fillSpans: boolean): string[] {
  const rows = grid(table).map((row) => row.map((c) => pipeCell(c?.text ?? '')));
  if (fillSpans) {
    for (const c of table.cells) {
      for (let r = c.row; r < Math.min(table.rows, c.row + c.row_span); r++) {
        for (let k = c.col; k < Math.min(table.cols, c.col + c.col_span); k++) rows[r]![k] = pipeCell(c.text);
      }
    }
  }
  return rows.map((row) => `| ${row.join(' | ')} |`);
}

/** The rule under a Markdown table's header row. */
export const markdownRule = (cols: number) => `|${' --- |'.repeat(cols)}`;

export function tableMarkdown(table: TableStructure): string {
  if (table.rows === 0 || table.cols === 0) return '';
  if (spans(table)) return tableHtml(table);
  const rows = markdownRows(table, false);
  // A pipe table must have a header row: the first row is it, whether or not it was found to be one.
  return [rows[0], markdownRule(table.cols), ...rows.slice(1)].join('\n');
}

/** Attributes to add (each starting with a space): on the <table>, on each cell. */
export interface TableHtmlAttributes { table?: string; cell?: (cell: TableCell) => string }

export function tableHtml(table: TableStructure, attributes: TableHtmlAttributes = {}): string {
  const rows = grid(table).map((row, r) => {
    const tag = r < table.header_rows ? 'th' : 'td';
    const cells = row.flatMap((c) => {
      if (!c) return [];
      const attrs = `${c.row_span > 1 ? ` rowspan="${c.row_span}"` : ''}${c.col_span > 1 ? ` colspan="${c.col_span}"` : ''}${attributes.cell?.(c) ?? ''}`;
      return [`<${tag}${attrs}>${xmlEscape(c.text.replace(/\s+/g, ' ').trim())}</${tag}>`];
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  const head = rows.slice(0, table.header_rows);
  const body = rows.slice(table.header_rows);
  return `<table${attributes.table ?? ''}>${head.length ? `<thead>${head.join('')}</thead>` : ''}<tbody>${body.join('')}</tbody></table>`;
}
