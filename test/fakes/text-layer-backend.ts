import type { Config } from '../../src/config.js';
import type { Envelope, PageOutput, PageResult } from '../../src/schemas/page-result.js';
import { pageFileTexts } from '../../workers/layout/page-files.js';
import { fakeBackend } from './fake-backend.js';

/** A page read from its text layer, as a worker returns it: it has a preview image to serve. */
export function textLayerPage(pageNo: number, text: string): Envelope<PageOutput> {
  const page: PageResult = {
    page_no: pageNo, width: 1275, height: 1650, dpi: 150, source: 'text-layer', source_reason: 'text-layer', confidence: 100,
    text, blocks: [], rotation: 0, blank: false, warnings: [], duration_ms: 1,
  };
  return { ok: true, value: { page: { page_no: pageNo, source: 'text-layer', confidence: 100, duration_ms: 1 }, files: pageFileTexts(page, 'prompt_ocr') } };
}

/** An empty JPEG: what is drawn is not the question where this backend is used. */
export const DRAWN_PREVIEW = Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]);

/** The fake backend reading every page as `text` from its text layer, and drawing previews as DRAWN_PREVIEW. */
export function textLayerBackend(text: string) {
  const fake = fakeBackend(({ pageNo }) => textLayerPage(pageNo, text));
  const build = async (config: Config) => {
    const built = await fake.build(config);
    return { ...built, backend: { ...built.backend, tasks: { ...built.backend.tasks, pagePreview: async () => ({ ok: true as const, value: DRAWN_PREVIEW }) } } };
  };
  return { execution: fake.execution, build };
}
