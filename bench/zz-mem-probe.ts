import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { memoryOf, spawnServer, submit } from '/work/wt-h14/bench/server-under-test.js';
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-idle-'));
const server = await spawnServer({ INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data'), IDLE_RELEASE_S: '5' });
const pid = server.child.pid!;
const { id } = await submit(server.url, 'm.pdf', await fs.readFile(process.env.PROBE_FILE!), { formats: 'json' });
for (;;) { const r = await (await fetch(`${server.url}/conversion-status/${id}`)).json() as {status:string}; if (r.status !== 'processing' && r.status !== 'pending') break; await new Promise((r) => setTimeout(r, 200)); }
await new Promise((r) => setTimeout(r, 15000));
console.log(memoryOf(pid), (await (await fetch(`${server.url}/worker-pool-status`)).json()));
console.log('tasks', (await fs.readdir(`/proc/${pid}/task`)).length);
const smaps = await fs.readFile(`/proc/${pid}/smaps`, 'utf8');
const regions: { name: string; rss: number; size: number }[] = [];
let cur: { name: string; rss: number; size: number } | null = null;
for (const line of smaps.split('\n')) {
  const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
  if (head) { cur = { name: head[1] || '[anon]', rss: 0, size: 0 }; regions.push(cur); continue; }
  const m = /^(Rss|Size):\s+(\d+) kB/.exec(line);
  if (m && cur) { if (m[1] === 'Rss') cur.rss = Number(m[2]); else cur.size = Number(m[2]); }
}
const byName = new Map<string, number>();
for (const r of regions) byName.set(r.name, (byName.get(r.name) ?? 0) + r.rss);
console.log([...byName].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, kb]) => `${Math.round(kb / 1024)} MB ${n}`).join('\n'));
console.log(regions.filter((r) => r.name === '[anon]').sort((a, b) => b.rss - a.rss).slice(0, 12).map((r) => `${Math.round(r.rss / 1024)}/${Math.round(r.size / 1024)} MB`).join(', '));
server.child.kill('SIGTERM'); await server.exited; await fs.rm(root, { recursive: true, force: true });
