import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import WebSocket from 'ws';
import type { AcceptedReply, ProgressMessage } from '../schemas/conversion.js';
import { CliError, isTerminal, type ConversionClient } from './conversion-client.js';

/** Exit code for "the server could not be reached or refused the request". */
export const EXIT_SERVER = 3;

/** Talks to a running pagemill over HTTP and WebSocket. */
export class ServerClient implements ConversionClient {
  private readonly base: string;

  constructor(server: string, private readonly apiKey?: string) {
    this.base = server.replace(/\/+$/, '');
  }

  async request<T>(method: string, route: string, body?: FormData): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${route}`, { method, body, headers: this.apiKey ? { 'x-api-key': this.apiKey } : {} });
    } catch (err) {
      const { cause, message } = err as Error;
      throw new CliError(`cannot reach ${this.base}: ${cause instanceof Error ? String(cause) : message}`, EXIT_SERVER);
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text;
      try {
        const e = JSON.parse(text) as { detail?: string; code?: string };
        detail = `${e.detail} (${e.code})`;
      } catch { /* not JSON */ }
      throw new CliError(`${method} ${route}: HTTP ${res.status}: ${detail}`, EXIT_SERVER);
    }
    return (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  }

  async submit(file: string, fields: Record<string, string>): Promise<AcceptedReply> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(await fs.readFile(file))]), path.basename(file));
    return this.request<AcceptedReply>('POST', '/convert', form);
  }

  async submitUrl(url: string, fields: Record<string, string>): Promise<AcceptedReply> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('source_url', url);
    return this.request<AcceptedReply>('POST', '/convert', form);
  }

  follow(id: string, onProgress: (m: ProgressMessage) => void): Promise<ProgressMessage> {
    const url = `${this.base.replace(/^http/, 'ws')}/ws/conversion/${id}${this.apiKey ? `?api_key=${encodeURIComponent(this.apiKey)}` : ''}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      let last: ProgressMessage | null = null;
      ws.on('message', (data) => {
        const m = JSON.parse((data as Buffer).toString('utf8')) as ProgressMessage & { type?: string };
        if (m.type === 'snapshot') return;
        last = m;
        onProgress(m);
      });
      ws.on('close', () => (last && isTerminal(last) ? resolve(last) : reject(new CliError(`the progress stream of ${id} closed early`, EXIT_SERVER))));
      ws.on('error', (err) => reject(new CliError(`cannot follow ${id}: ${err.message}`, EXIT_SERVER)));
    });
  }

  async result(id: string, format: string): Promise<Buffer> {
    const res = await fetch(`${this.base}/conversions/${id}/result?format=${format}`, { headers: this.apiKey ? { 'x-api-key': this.apiKey } : {} });
    if (!res.ok) throw new CliError(`result ${format} of ${id}: HTTP ${res.status}`, EXIT_SERVER);
    return Buffer.from(await res.arrayBuffer());
  }

  async archive(id: string, previews: boolean, target: string): Promise<void> {
    const res = await fetch(`${this.base}/conversions/${id}/archive?previews=${previews}`, { headers: this.apiKey ? { 'x-api-key': this.apiKey } : {} });
    if (!res.ok || !res.body) throw new CliError(`archive of ${id}: HTTP ${res.status}`, EXIT_SERVER);
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(target));
  }

  async close(): Promise<void> {}
}
