import type { Block } from '../schemas/page-result.js';

/** Markdown for one page's blocks; `withHeaderFooter: false` gives the seed's `_nohf.md`. */
export function pageMarkdown(blocks: Block[], withHeaderFooter: boolean): string {
  const parts: string[] = [];
  for (const b of blocks) {
    if (!withHeaderFooter && (b.category === 'Page-header' || b.category === 'Page-footer')) continue;
    const text = b.lines.map((l) => l.text).join(' ').trim();
    if (!text) continue;
    switch (b.category) {
      case 'Title': parts.push(`# ${text}`); break;
      case 'Section-header': parts.push(`## ${text}`); break;
      case 'List-item': parts.push(text.replace(/^\s*[•●▪◦‣\-–*]\s+/, '- ')); break;
      case 'Table': parts.push(b.lines.map((l) => l.text).join('\n')); break;
      default: parts.push(escapeMarkdown(text));
    }
  }
  return parts.join('\n\n') + (parts.length ? '\n' : '');
}

/** Keeps OCR'd text from turning into Markdown syntax by accident (a line starting with "#", "-", "1."). */
function escapeMarkdown(text: string): string {
  return text.replace(/^(\s*)([#>*+-]|\d+[.)])(\s)/, '$1\\$2$3');
}
