import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import type { BuiltBackend } from '../../src/jobs/backend-factory.js';
import type { DocumentTasks } from '../../src/jobs/contracts/page-runner.js';
import { FolderBlobStore } from '../../src/jobs/store/folder-blob-store.js';
import { JobStore } from '../../src/jobs/store/job-store.js';
import { ProgressEvents } from '../../src/jobs/store/progress-events.js';
import type { Languages } from '../../src/languages/languages.js';
import type { InspectResult } from '../../src/schemas/page-result.js';
import { loadSecretBox } from '../../src/security/secret-box.js';
import { FakeExecution, donePage, untilStopped, type PageScript } from './fake-execution.js';

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

/** Whole-document tasks without threads: pages counted from the file, the source copied as the searchable PDF, no previews. */
const fakeTasks: DocumentTasks = {
  inspect: async (task) => ({ ok: true, value: { page_count: task.kind === 'image' ? 1 : await countPages(task.path) } }),
  searchablePdf: async (task) => {
    await fs.mkdir(path.dirname(task.out_path), { recursive: true });
    await fs.copyFile(task.source_path, task.out_path);
    return { ok: true, value: { pages: task.layers.length } };
  },
  pagePreview: async () => ({ ok: false, error: { code: 'render_failed', message: 'no previews in the fake backend' } }),
};

export interface FakeBackendOptions {
  /**
   * As a real server whose one worker is busy looks: the first document is inspected, every later
   * one waits for its inspection (stays `pending`) until `releaseInspections()` or the server stops.
   */
  holdInspection?: boolean;
}

/**
 * The real store (with the secret box, as production builds it), blob store and progress bus on
 * the config's folders, with pages run by `script` instead of threads (default: every page read as
 * "Page <n> text"): for route and workflow tests that are not about OCR. Pass as
 * `startTestServer(…, { fake })`, or call `build(config)` for a ConversionService without an app.
 */
export function fakeBackend(script: PageScript = ({ pageNo }) => donePage(pageNo), opts: FakeBackendOptions = {}) {
  const execution = new FakeExecution(script);
  let releaseInspections = () => {};
  let tasks = fakeTasks;
  if (opts.holdInspection) {
    const released = new Promise<null>((resolve) => { releaseInspections = () => resolve(null); });
    let inspections = 0;
    tasks = {
      ...fakeTasks,
      inspect: async (task, signal) => {
        if (inspections++ > 0) {
          const stopped = await Promise.race([released, untilStopped<InspectResult>(signal)]);
          if (stopped) return stopped;
        }
        return fakeTasks.inspect(task, signal);
      },
    };
  }
  const build = async (config: Config): Promise<BuiltBackend> => ({
    backend: {
      kind: 'fake', store: new JobStore(path.join(config.DATA_DIR, 'pagemill.db'), loadSecretBox(config)), bus: new ProgressEvents(), execution,
      blobs: new FolderBlobStore(config), tasks,
    },
  });
  return { execution, build, releaseInspections };
}

/**
 * The fake backend as a real server with one busy worker looks: every page runs until it is
 * stopped, and only the first document is inspected; the others wait for their inspection until
 * the server stops.
 */
export const busyBackend = () => fakeBackend(({ signal }) => untilStopped(signal), { holdInspection: true });
