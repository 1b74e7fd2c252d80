import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import cliProgress from 'cli-progress';
import { AppError } from './errors.js';
import { ConfigError } from './config.js';
import { runServer } from './server.js';
import { CliError, type ConversionClient } from './cli/conversion-client.js';
import { LocalClient } from './cli/local-client.js';
import { ServerClient } from './cli/server-client.js';
import type { ProgressMessage } from './schemas/conversion.js';
import { fileEnding, type OutputFormat } from './schemas/convert-options.js';

/**
 * `pagemill` — serve | convert | status | list | cancel | stats.
 * Exit codes: 0 done; 1 a conversion failed; 2 bad usage; 3 server unreachable or refused.
 */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const HELP: Record<string, string> = {
  main: `pagemill — document OCR service

Usage: pagemill <command> [options]

Commands:
  serve                 run the HTTP server (same settings as npm start: env, .env, flags)
  worker                run a worker node of a cluster (pages from Redis; see docs/scaling-out.md)
  convert <files...>    convert files (or --url URLs), in this process or on a server (--server)
  status <id>           a conversion's status (server)
  list                  conversions, newest first (server)
  cancel <id>           cancel a conversion (server)
  stats                 throughput, queue and ETA (server)

Run "pagemill <command> --help" for its options. Server commands use --server (default
$PAGEMILL_SERVER or http://localhost:8080) and --api-key (or $PAGEMILL_API_KEY).`,
  serve: `Usage: pagemill serve [--host H] [--port P] [--workers N] [--redis URL] [--input-dir D] [--output-dir D] [--data-dir D] [--log-level L]

Runs the HTTP server. Every setting can also come from the environment or .env (see .env.example).
With --redis (REDIS_URL) it is the API node of a cluster: --workers 0 leaves every page to worker nodes.`,
  worker: `Usage: pagemill worker --redis redis://HOST:PORT --api http://API:PORT [--workers N] [--data-dir D] [--log-level L]

Runs a worker node: N page threads taking pages from Redis. CLUSTER_SECRET must be set, the same on every node.`,
  convert: `Usage: pagemill convert <files...> [--url URL]... [options]

Converts PDFs and images; writes <name>.<format> for each file into --out (<name>.chunks.jsonl
for chunks, <name>.pdfa.pdf for pdfa).

  --format LIST    formats to write: txt, md, json, hocr, alto, html, chunks, pdf, pdfa (default: md)
  --chunk-tokens N with chunks: most tokens in a chunk, cl100k_base (default: 512)
  --out DIR        where to write the results (default: the current folder)
  --lang LANGS     OCR language(s): eng, fra, eng+fra (default: eng)
  --pages RANGE    pages to convert, e.g. 1-3,7,10-
  --ocr-mode MODE  auto | force | skip-text (default: auto)
  --mode MODE      prompt_layout_all_en (default) | prompt_layout_only_en | prompt_ocr
  --password PW    password of encrypted PDFs
  --workers N      worker threads when converting in this process (default: CPU count)
  --server URL     convert on a running server instead of in this process
  --api-key KEY    API key for --server
  --url URL        also convert the document at URL (downloaded by the server, or by this process
                   without --server; private addresses need SOURCE_URL_ALLOW); repeat for several
  --archive        also write <name>.zip: every format, manifest.json with SHA-256 checksums
  --previews       with --archive: the page images too
  --json           print one JSON line per file instead of progress bars`,
  status: 'Usage: pagemill status <id> [--server URL] [--api-key KEY] [--json]',
  list: 'Usage: pagemill list [--status pending|processing|completed|error|cancelled] [--limit N] [--server URL] [--api-key KEY] [--json]',
  cancel: 'Usage: pagemill cancel <id> [--server URL] [--api-key KEY] [--json]',
  stats: 'Usage: pagemill stats [--server URL] [--api-key KEY] [--json]',
};

const serverOptions = {
  server: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

function parse<O extends ParseArgsConfig['options']>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${HELP[command]}`, EXIT.usage);
  }
}

const serverOf = (v: Record<string, unknown>) =>
  new ServerClient((v.server as string) ?? process.env.PAGEMILL_SERVER ?? 'http://localhost:8080', (v['api-key'] as string) ?? process.env.PAGEMILL_API_KEY);

function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value) : human()}\n`);
}

function usage(command: string): number {
  process.stdout.write(`${HELP[command]}\n`);
  return EXIT.ok;
}

async function convert(args: string[]): Promise<number> {
  const { values: v, positionals: files } = parse('convert', args, {
    ...serverOptions, format: { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' }, pages: { type: 'string' },
    'ocr-mode': { type: 'string' }, password: { type: 'string' }, workers: { type: 'string' }, mode: { type: 'string' },
    url: { type: 'string', multiple: true }, archive: { type: 'boolean' }, previews: { type: 'boolean' },
    'chunk-tokens': { type: 'string' },
  });
  if (v.help) return usage('convert');
  const urls = v.url ?? [];
  if (files.length === 0 && urls.length === 0) throw new CliError(`no files or --url given\n\n${HELP.convert}`, EXIT.usage);
  for (const f of files) await fs.access(f).catch(() => { throw new CliError(`no such file: ${f}`, EXIT.usage); });
  const formats = (v.format ?? 'md').split(',').map((f) => f.trim()).filter(Boolean);
  const out = v.out ?? '.';
  await fs.mkdir(out, { recursive: true });
  const fields: Record<string, string> = { formats: formats.join(',') };
  if (v.lang) fields.lang = v.lang;
  if (v.pages) fields.pages = v.pages;
  if (v['ocr-mode']) fields.ocr_mode = v['ocr-mode'];
  if (v.mode) fields.prompt_mode = v.mode;
  if (v.password) fields.password = v.password;
  if (v['chunk-tokens']) fields.chunk_tokens = v['chunk-tokens'];

  const client: ConversionClient = v.server ? serverOf(v) : await LocalClient.start(v.workers ? Number(v.workers) : undefined);
  const bars = !v.json && process.stderr.isTTY
    ? new cliProgress.MultiBar({ format: ' {bar} {percentage}% | {file} | {status}', hideCursor: true, clearOnComplete: false, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  let failures = 0;
  try {
    const inputs = [...files.map((file) => ({ file, url: undefined })), ...urls.map((url) => ({ file: url, url }))];
    await Promise.all(inputs.map(async ({ file, url }) => {
      const bar = bars?.create(100, 0, { file: url ? 'downloading' : path.basename(file), status: 'queued' });
      const accepted = url ? await client.submitUrl(url, fields) : await client.submit(file, fields);
      // A URL's name is what the server made of it (Content-Disposition or the URL's last segment).
      const name = url ? accepted.filename : path.basename(file);
      bar?.update(0, { file: name });
      const end = await client.follow(accepted.conversion_id, (m: ProgressMessage) => bar?.update(m.progress, { status: m.message }));
      const written: string[] = [];
      if (end.status === 'completed') {
        const stem = name.replace(/\.[^.]+$/, '');
        for (const format of formats) {
          const target = path.join(out, `${stem}.${fileEnding(format as OutputFormat)}`);
          await fs.writeFile(target, await client.result(accepted.conversion_id, format));
          written.push(target);
        }
        if (v.archive) {
          const target = path.join(out, `${stem}.zip`);
          await client.archive(accepted.conversion_id, Boolean(v.previews), target);
          written.push(target);
        }
      } else {
        failures++;
      }
      bar?.update(end.status === 'completed' ? 100 : end.progress, { status: end.status === 'error' ? `error: ${end.error_code}` : end.status });
      if (!bars) {
        print(Boolean(v.json), { file, conversion_id: accepted.conversion_id, status: end.status, error_code: end.status === 'error' ? end.error_code : null, written },
          () => `${file}: ${end.status}${end.status === 'error' ? ` (${end.error_code}: ${end.error})` : ''}${written.length ? ` → ${written.join(', ')}` : ''}`);
      }
    }));
  } finally {
    bars?.stop();
    await client.close();
  }
  return failures ? EXIT.failed : EXIT.ok;
}

async function serverCommand(command: 'status' | 'list' | 'cancel' | 'stats', args: string[]): Promise<number> {
  const { values: v, positionals } = parse(command, args, { ...serverOptions, status: { type: 'string' }, limit: { type: 'string' } });
  if (v.help) return usage(command);
  const client = serverOf(v);
  const json = Boolean(v.json);
  const needId = () => {
    if (!positionals[0]) throw new CliError(`a conversion id is needed\n\n${HELP[command]}`, EXIT.usage);
    return encodeURIComponent(positionals[0]);
  };
  type Rec = { id: string; filename: string; status: string; progress: number; message: string; error_code: string | null };
  const line = (r: Rec) => `${r.id}  ${r.status.padEnd(10)} ${String(r.progress).padStart(3)}%  ${r.filename}  ${r.error_code ?? r.message}`;
  switch (command) {
    case 'status': {
      const r = await client.request<Rec>('GET', `/conversions/${needId()}`);
      print(json, r, () => line(r));
      return r.status === 'error' ? EXIT.failed : EXIT.ok;
    }
    case 'cancel': {
      const r = await client.request<Rec>('POST', `/conversions/${needId()}/cancel`);
      print(json, r, () => line(r));
      return EXIT.ok;
    }
    case 'list': {
      const q = new URLSearchParams({ limit: v.limit ?? '50', ...(v.status ? { status: v.status } : {}) });
      const r = await client.request<{ conversions: Rec[]; total: number }>('GET', `/conversions?${q}`);
      print(json, r, () => [...r.conversions.map(line), `(${r.conversions.length} of ${r.total})`].join('\n'));
      return EXIT.ok;
    }
    case 'stats': {
      const r = await client.request<{ conversions: Record<string, number>; pages_per_minute: { last_5_min: number }; queue: { pages_outstanding: number }; queue_eta_seconds: number | null }>('GET', '/stats');
      print(json, r, () => [
        `conversions: ${Object.entries(r.conversions).map(([k, n]) => `${k} ${n}`).join(', ')}`,
        `throughput: ${r.pages_per_minute.last_5_min} pages/min (last 5 min)`,
        `queue: ${r.queue.pages_outstanding} pages outstanding, empty in ${r.queue_eta_seconds ?? '?'} s`,
      ].join('\n'));
      return EXIT.ok;
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    print(false, null, () => HELP.main!);
    return command ? EXIT.ok : EXIT.usage;
  }
  switch (command) {
    case 'serve':
      if (rest.includes('--help') || rest.includes('-h')) return usage('serve');
      await runServer(rest);
      return new Promise<number>(() => undefined); // runs until a signal ends the process
    case 'worker': {
      if (rest.includes('--help') || rest.includes('-h')) return usage('worker');
      // Loaded only here: serve in local mode and convert never load BullMQ.
      const { runWorkerNode } = await import('./jobs/execution/bullmq/run-worker-node.js');
      await runWorkerNode(rest);
      return new Promise<number>(() => undefined); // runs until a signal ends the process
    }
    case 'convert':
      return convert(rest);
    case 'status': case 'list': case 'cancel': case 'stats':
      return serverCommand(command, rest);
    default:
      throw new CliError(`unknown command "${command}"\n\n${HELP.main}`, EXIT.usage);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = err instanceof CliError ? err.exitCode : err instanceof AppError || err instanceof ConfigError ? EXIT.usage : EXIT.failed;
    process.stderr.write(`pagemill: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(code);
  },
);
