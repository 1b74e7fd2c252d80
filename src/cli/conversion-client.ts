import type { AcceptedReply, ProgressMessage } from '../schemas/conversion.js';

/** What `pagemill convert` needs, served in-process (local-client.ts) or by a server (server-client.ts). */
export interface ConversionClient {
  submit(file: string, fields: Record<string, string>): Promise<AcceptedReply>;
  /** The server downloads the document (POST /convert source_url). */
  submitUrl(url: string, fields: Record<string, string>): Promise<AcceptedReply>;
  /** Resolves with the terminal message; `onProgress` sees every message before it. */
  follow(id: string, onProgress: (m: ProgressMessage) => void): Promise<ProgressMessage>;
  result(id: string, format: string): Promise<Buffer>;
  /** GET /conversions/:id/archive, written to `target`. */
  archive(id: string, previews: boolean, target: string): Promise<void>;
  close(): Promise<void>;
}

export const isTerminal = (m: ProgressMessage) => m.status === 'completed' || m.status === 'error' || m.status === 'cancelled';

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}
