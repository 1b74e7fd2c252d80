import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { until } from './poll.js';

/** Uploads a PDF to an API node's /convert; returns the conversion id. */
export async function submit(api: string, name: string, pdf: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)]), name);
  const res = await fetch(`${api}/convert`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { conversion_id: string }).conversion_id;
}

export interface Record { status: string; total_pages: number; pages_completed: number; pages_failed: number }

/** The record once the conversion has ended; connection errors (an API node restarting) are waited out. */
export const ended = (api: () => string, id: string) => until(async () => {
  const res = await fetch(`${api()}/conversions/${id}`).catch(() => null);
  if (!res?.ok) return undefined;
  const rec = (await res.json()) as Record;
  return ['completed', 'error', 'cancelled'].includes(rec.status) ? rec : undefined;
}, `conversion ${id} ended`, 180_000);

/** Every page in the conversion's results exactly once, each read. */
export async function resultPages(root: string, stem: string): Promise<number[]> {
  const lines = (await fs.readFile(path.join(root, 'output', `${stem}.jsonl`), 'utf8')).split('\n').filter(Boolean);
  return lines.map((l) => JSON.parse(l) as { page_no: number; error?: unknown }).map((p) => {
    expect(p.error ?? null).toBeNull();
    return p.page_no;
  });
}
