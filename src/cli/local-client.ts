import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { parseConvertOptions } from '../intake/convert-options.js';
import type { AcceptedReply, ProgressMessage } from '../schemas/conversion.js';
import { TERMINAL_STATUSES } from '../schemas/conversion.js';
import { isTerminal, type ConversionClient } from './conversion-client.js';

/** Converts in this process, with its own worker pool and a throw-away job store. */
export class LocalClient implements ConversionClient {
  private constructor(private readonly runtime: Runtime, private readonly root: string) {}

  static async start(workers?: number): Promise<LocalClient> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-cli-'));
    const config = loadConfig({
      env: process.env,
      overrides: {
        INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'), DATA_DIR: path.join(root, 'data'),
        LOG_LEVEL: 'silent', RESULT_TTL_HOURS: 0, API_KEYS: '', API_KEYS_FILE: '', ...(workers ? { NUM_WORKERS: workers } : {}),
      },
    });
    return new LocalClient(await createRuntime(config, pino({ level: 'silent' })), root);
  }

  async submit(file: string, fields: Record<string, string>): Promise<AcceptedReply> {
    // The service moves an upload into its store: hand it a copy, never the user's file.
    const tmpPath = path.join(this.root, 'data', 'uploads', `tmp-${randomUUID()}`);
    await fs.copyFile(file, tmpPath);
    const options = parseConvertOptions(fields, this.runtime.service.languages.installed, false);
    return this.runtime.service.admission.submit({ upload: { tmpPath, originalName: path.basename(file) }, options });
  }

  async submitUrl(url: string, fields: Record<string, string>): Promise<AcceptedReply> {
    const options = parseConvertOptions(fields, this.runtime.service.languages.installed, false);
    return this.runtime.service.admission.submit({ sourceUrl: url, options });
  }

  async follow(id: string, onProgress: (m: ProgressMessage) => void): Promise<ProgressMessage> {
    return new Promise((resolve, reject) => {
      const { snapshot, unsubscribe } = this.runtime.service.queries.watch(id, (m) => {
        onProgress(m);
        if (isTerminal(m)) {
          unsubscribe();
          resolve(m);
        }
      });
      if (TERMINAL_STATUSES.includes(snapshot.status)) {
        unsubscribe();
        this.runtime.service.queries.terminalMessage(id).then((m) => resolve(m!), reject);
      }
    });
  }

  async result(id: string, format: string): Promise<Buffer> {
    return fs.readFile((await this.runtime.service.queries.resultFile(id, format as never)).path);
  }

  async archive(id: string, previews: boolean, target: string): Promise<void> {
    const zip = await this.runtime.archive.open(id, null, { previews });
    await pipeline(zip.stream, createWriteStream(target));
  }

  async close(): Promise<void> {
    await this.runtime.close(1000);
    await fs.rm(this.root, { recursive: true, force: true });
  }
}
