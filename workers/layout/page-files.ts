import type { PromptMode } from '../../src/schemas/conversion.js';
import type { PageFileTexts, PageResult } from '../../src/schemas/page-result.js';
import { pageCells } from './cells.js';
import { pageMarkdown } from './markdown.js';

/**
 * Whether a page's `_page_<i>.md` is also its part of the Markdown document: in the layout modes
 * both are pageMarkdown(page, true); in `prompt_ocr` the page file is its plain text.
 */
export const pageMarkdownIsDocumentPart = (mode: PromptMode) => mode !== 'prompt_ocr' && mode !== 'prompt_layout_only_en';

/**
 * A page's result as stored: `blocks` (nearly all of its bytes) last, so that its other fields
 * can be read without parsing every word box (see readStoredPage in outputs/page-output.ts).
 */
export function pageResultJson(page: PageResult): string {
  const { blocks, ...head } = page;
  return JSON.stringify({ ...head, blocks });
}

/**
 * A finished page's files as text: its full result (internal) and the seed's per-page files for
 * the prompt mode. Pure, and run on the worker thread that read the page (see PageOutput).
 */
export function pageFileTexts(page: PageResult, mode: PromptMode): PageFileTexts {
  const texts: PageFileTexts = { result: pageResultJson(page) };
  if (mode !== 'prompt_ocr') texts.cells = JSON.stringify(pageCells(page.blocks, mode));
  if (mode !== 'prompt_layout_only_en') {
    texts.markdown = pageMarkdownIsDocumentPart(mode) ? pageMarkdown(page, true) : `${page.text}\n`;
    // Without a page header or footer the two files are the same text: made once.
    const headerOrFooter = page.blocks.some((b) => b.category === 'Page-header' || b.category === 'Page-footer');
    texts.markdownNoHeaderFooter = mode === 'prompt_ocr' || !headerOrFooter ? texts.markdown : pageMarkdown(page, false);
  }
  return texts;
}
