import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import type { BuiltBackend } from '../../src/jobs/backend-factory.js';
import type { DocumentTasks } from '../../src/jobs/contracts/page-runner.js';
import { FolderBlobStore } from '../../src/jobs/store/folder-blob-store.js';
import { JobStore } from '../../src/jobs/store/job-store.js';
import { ProgressEvents } from '../../src/jobs/store/progress-events.js';
import type { Languages } from '../../src/languages/languages.js';
import { FakeExecution, donePage, type PageScript } from './fake-execution.js';

/** What the fake backend says is installed: English and French, tesseract.js, no orientation data. */
export const FAKE_LANGUAGES: Languages = { dir: '', gzip: true, installed: ['eng', 'fra'], hasOsd: false };

/**
 * Page counts read from a PDF's bytes (`/Type /Page` objects), as the fixtures write them; an image
 * is one page. Enough to inspect what tests submit without a thread.
 */
async function countPages(file: string): Promise<number> {
  const bytes = await fs.readFile(file);
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return 1;
  return (bytes.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

const fakeTasks: DocumentTasks = {
  inspect: async (task) => ({ ok: true, value: { page_count: task.kind === 'image' ? 1 : await countPages(task.path) } }),
  searchablePdf: async (task) => {
    await fs.mkdir(path.dirname(task.out_path), { recursive: true });
    await fs.copyFile(task.source_path, task.out_path);
    return { ok: true, value: { pages: task.layers.length } };
  },
  pagePreview: async () => ({ ok: false, error: { code: 'render_failed', message: 'no previews in the fake backend' } }),
};

/**
 * The real store, blob store and progress bus on the test's folders, with pages run by `script`
 * instead of threads (default: every page read as "Page <n> text"): for route and workflow tests
 * that are not about OCR. Pass as `startTestServer(…, { fake })`.
 */
export function fakeBackend(script: PageScript = ({ pageNo }) => donePage(pageNo)) {
  const execution = new FakeExecution(script);
  const build = async (config: Config): Promise<BuiltBackend> => ({
    backend: {
      kind: 'fake', store: new JobStore(path.join(config.DATA_DIR, 'pagemill.db')), bus: new ProgressEvents(), execution,
      blobs: new FolderBlobStore(config), tasks: fakeTasks,
    },
  });
  return { execution, build };
}
