import path from 'node:path';
import { LocalClient } from '../src/cli/local-client.js';
import { Chunker, type Chunk } from '../src/outputs/chunks.js';
import type { PageResult } from '../src/schemas/page-result.js';
import { pageStructure } from '../workers/layout/markdown-structure.js';

/**
 * Chunks of one real document, as a retrieval engineer would look at them first:
 * `npx tsx bench/chunks-probe.ts file.pdf [chunk_tokens] [workers]` converts it in this process
 * (formats json and chunks), prints how many chunks, their sizes (tokens with headings, which the
 * limit holds), how many span two pages and how many heading paths there are; then times the
 * chunker alone over the document's pages read again and again up to 500 pages (the cost on the
 * main thread while a document is assembled).
 */
const [file, tokens = '512', workers = '2'] = process.argv.slice(2);
if (!file) throw new Error('usage: chunks-probe.ts <file.pdf> [chunk_tokens] [workers]');
const client = await LocalClient.start(Number(workers));
const accepted = await client.submit(file, { formats: 'json,chunks', chunk_tokens: tokens });
const end = await client.follow(accepted.conversion_id, () => undefined);
if (end.status !== 'completed') throw new Error(`conversion ended ${end.status}`);
const chunks = (await client.result(accepted.conversion_id, 'chunks')).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Chunk);
const pages = (JSON.parse((await client.result(accepted.conversion_id, 'json')).toString('utf8')) as { pages: PageResult[] }).pages;
await client.close();

const sizes = chunks.map((c) => c.tokens_with_headings).sort((a, b) => a - b);
const at = (q: number) => sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))];
const structures = pages.map((p) => pageStructure(p, false));
const target = 500;
const started = performance.now();
const chunker = new Chunker(Number(tokens));
for (let n = 0; n < target; n++) chunker.addPage(n + 1, structures[n % structures.length]!);
chunker.end();
const chunkerMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({
  file: path.basename(file), pages: pages.length, chunk_tokens: Number(tokens), chunks: chunks.length,
  tokens_with_headings: { min: sizes[0], median: at(0.5), p90: at(0.9), max: sizes.at(-1) },
  spanning_pages: chunks.filter((c) => c.pages.length > 1).length, heading_paths: new Set(chunks.map((c) => c.heading_path.join('\u0000'))).size,
  tables: chunks.filter((c) => c.text.includes('| --- |')).length,
  chunker_ms_per_page: Math.round((chunkerMs / target) * 100) / 100,
})}\n`);
