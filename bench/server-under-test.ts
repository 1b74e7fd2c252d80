import fs from 'node:fs';
import { spawnServer, type ServerProcess } from '../test/helpers/server-process.js';

export type { ServerProcess };
export { spawnServer };

/** Resident and peak resident memory of a process, in MB, from /proc (Linux). */
export function memoryOf(pid: number): { rss_mb: number; peak_rss_mb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(/^(\w+):\s+(\d+) kB/m.exec(status.split('\n').find((l) => l.startsWith(key)) ?? '')?.[2] ?? 0);
    return { rss_mb: Math.round(kb('VmRSS') / 1024), peak_rss_mb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
}

/** Submits a file over HTTP; resolves with the conversion id and the time the reply took. */
export async function submit(url: string, name: string, data: Buffer, fields: Record<string, string> = {}): Promise<{ id: string; ms: number }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(data)]), name);
  const t0 = performance.now();
  const res = await fetch(`${url}/convert`, { method: 'POST', body: form });
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
  return { id: ((await res.json()) as { conversion_id: string }).conversion_id, ms };
}
