import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { LocalClient } from '../src/cli/local-client.js';

/**
 * One document the way an archive pipeline takes it: served over HTTP on loopback, converted by
 * `source_url`, then downloaded as one zip with every default format and the page previews.
 * `npx tsx bench/archive-probe.ts file.pdf [workers]`: times the download (accepted reply), the
 * conversion, and the archive, in this process (no server start). The origin is on loopback, so
 * SOURCE_URL_ALLOW is set to 127.0.0.1 here unless the environment sets it.
 */
const [file, workers = '2'] = process.argv.slice(2);
if (!file) throw new Error('usage: archive-probe.ts <file.pdf> [workers]');
process.env.SOURCE_URL_ALLOW ??= '127.0.0.1';
const bytes = fs.readFileSync(file);
const origin = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(bytes));
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/${encodeURIComponent(path.basename(file))}`;
const client = await LocalClient.start(Number(workers));
const seconds = (from: number) => Math.round((performance.now() - from) / 10) / 100;

const t0 = performance.now();
const accepted = await client.submitUrl(url, {});
const acceptSeconds = seconds(t0);
const end = await client.follow(accepted.conversion_id, () => undefined);
const convertSeconds = seconds(t0);
const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'archive-probe-')), 'out.zip');
const t1 = performance.now();
await client.archive(accepted.conversion_id, true, target);
const archiveSeconds = seconds(t1);
const t2 = performance.now();
await client.archive(accepted.conversion_id, true, target);
const againSeconds = seconds(t2);
process.stdout.write(`${JSON.stringify({
  file: path.basename(file), source_bytes: bytes.length, status: end.status, pages: (end as { results?: unknown[] }).results?.length ?? 0,
  accepted_s: acceptSeconds, completed_s: convertSeconds, archive_with_previews_s: archiveSeconds, archive_again_s: againSeconds,
  archive_bytes: fs.statSync(target).size,
  peak_rss_mb: Math.round(Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024),
})}\n`);
fs.rmSync(path.dirname(target), { recursive: true, force: true });
await client.close();
origin.close();
