import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Temporary folders for a test file: `make()` one, `cleanup()` them all (call it in afterAll). */
export function tempDirs(prefix: string) {
  const made: string[] = [];
  return {
    async make(): Promise<string> {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    /** The three folders a pagemill process needs, under a new temporary root. */
    async serverDirs(): Promise<{ INPUT_DIR: string; OUTPUT_DIR: string; DATA_DIR: string }> {
      const root = await this.make();
      return { INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'), DATA_DIR: path.join(root, 'data') };
    },
    cleanup: () => Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true }))),
  };
}
