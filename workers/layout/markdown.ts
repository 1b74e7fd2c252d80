import type { Block, PageSource } from '../../src/schemas/page-result.js';
import { pageStructure } from './markdown-structure.js';

/**
 * Markdown for one page, from its layout (see markdown-structure.ts); `withHeaderFooter: false`
 * gives the seed's `_nohf.md`.
 */
export function pageMarkdown(page: { blocks: Block[]; source: PageSource }, withHeaderFooter: boolean): string {
  const parts: string[] = [];
  let inList = false;
  for (const item of pageStructure(page, withHeaderFooter)) {
    const listed = item.kind === 'list-item';
    const text = item.kind === 'verbatim' ? item.text : item.text.replace(/\s+/g, ' ');
    let md: string;
    switch (item.kind) {
      case 'heading': md = `${'#'.repeat(item.level)} ${text}`; break;
      case 'list-item': md = `${item.marker} ${escapeMarkdown(text)}`; break;
      case 'verbatim': md = text; break;
      default: md = escapeMarkdown(text);
    }
    // Items of one list sit on consecutive lines (a tight list); everything else is a block.
    parts.push(parts.length === 0 ? md : listed && inList ? `\n${md}` : `\n\n${md}`);
    inList = listed;
  }
  return parts.join('') + (parts.length ? '\n' : '');
}

/** Keeps OCR'd text from turning into Markdown syntax by accident (a line starting with "#", "-", "1."). */
function escapeMarkdown(text: string): string {
  return text.replace(/^(\s*)(#|[>*+-](?=\s)|\d+[.)](?=\s))/, '$1\\$2');
}
