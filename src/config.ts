import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/**
 * Every setting, in one schema. Precedence: defaults < .env file < environment < CLI flags.
 * Parsed once at start-up into a frozen object that is passed to whatever needs it;
 * nothing else in the code base reads process.env.
 */
const positiveInt = z.coerce.number().int().positive();

/** `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`: an IP address with an optional prefix length that fits it. */
function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = net.isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export const configSchema = z.object({
  /** Page threads in this process; 0 only on an API node with REDIS_URL (worker nodes run the pages). */
  NUM_WORKERS: z.coerce.number().int().min(0).max(256).default(Math.max(1, os.availableParallelism())),
  API_HOST: z.string().min(1).default('0.0.0.0'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  INPUT_DIR: z.string().min(1).default('input'),
  OUTPUT_DIR: z.string().min(1).default('output'),
  DATA_DIR: z.string().min(1).default('data'),
  MAX_UPLOAD_MB: positiveInt.max(10_240).default(200),
  MAX_PAGES: positiveInt.default(2000),
  PAGE_TIMEOUT_S: positiveInt.max(3600).default(120),
  RENDER_DPI: positiveInt.min(50).max(600).default(300),
  MAX_PAGE_MEGAPIXELS: z.coerce.number().positive().max(400).default(25),
  OCR_RECYCLE_PAGES: positiveInt.default(200),
  /**
   * A folder of uncompressed `<lang>.traineddata` files to use instead of the bundled
   * @tesseract.js-data models, e.g. Debian's faster "fast" models in /usr/share/tesseract-ocr/5/tessdata.
   */
  TESSDATA_DIR: z.string().default(''),
  WORKER_MAX_HEAP_MB: positiveInt.min(64).default(512),
  /**
   * Which OCR engine reads pages: `native` runs the tesseract (>= 5) binary per page, `wasm` is
   * tesseract.js (zero install), `auto` picks native when `tesseract --version` works at start.
   */
  OCR_ENGINE: z.enum(['auto', 'native', 'wasm']).default('auto'),
  /**
   * Measure each scanned page's skew and straighten it before reading and finding tables (see
   * docs/deskew-and-scanned-tables.md); the angle is the page's `skew`. Off: pages are read as scanned.
   */
  DESKEW: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  /**
   * What `format=pdf` is: `pdf`, the original with its text layers (born-digital pages untouched),
   * or `pdfa`, the same made PDF/A-2b as `format=pdfa` always is (docs/archive-formats.md).
   */
  PDF_OUTPUT: z.enum(['pdf', 'pdfa']).default('pdf'),
  /**
   * Seconds a worker thread may sit idle before it is stopped, releasing its OCR engine, parsed
   * PDFs and WASM heap; threads start again with the next page. 0 keeps them (and their memory).
   */
  IDLE_RELEASE_S: z.coerce.number().int().min(0).max(86_400).default(30),
  SHUTDOWN_TIMEOUT_S: z.coerce.number().int().min(0).max(3600).default(30),
  BATCH_SIZE: positiveInt.max(10_000).default(25),
  MAX_QUEUED_PAGES: positiveInt.default(50_000),
  MAX_QUEUED_CONVERSIONS: positiveInt.default(1000),
  /** Hours a finished conversion (record and files) is kept; 0 keeps them forever. */
  RESULT_TTL_HOURS: z.coerce.number().min(0).default(168),
  /** Wall-clock budget of one conversion from its start; 0 = none. */
  CONVERSION_TIMEOUT_S: z.coerce.number().int().min(0).default(21_600),
  /**
   * `name:key` pairs, comma-separated; empty = no keys needed. A bare key is named `key-` and 12 hex
   * characters of its SHA-256. The name owns conversions: two keys under one name are refused.
   */
  API_KEYS: z.string().default(''),
  /** `name:key` pairs like API_KEYS; these keys also see server-wide totals (/stats, pool status) and Bull Board. */
  ADMIN_API_KEYS: z.string().default(''),
  /** A file with one `name:key` per line (# comments), read at start. */
  API_KEYS_FILE: z.string().default(''),
  /** Requests per minute per key (with keys on). */
  RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  /** Wrong API keys per client address per minute before 429 auth_rate_limited (with keys on). */
  AUTH_FAILURES_PER_MINUTE: positiveInt.default(20),
  /** Unfinished conversions per key (with keys on). */
  MAX_CONCURRENT_PER_KEY: positiveInt.default(20),
  /** Key for secrets kept at rest (PDF passwords, AES-256-GCM); empty = a generated DATA_DIR/secret.key. */
  SECRET_KEY: z.string().default(''),
  /** HMAC-SHA256 key for X-Pagemill-Signature on webhooks; empty = unsigned. */
  WEBHOOK_SECRET: z.string().default(''),
  /** Allow callback URLs on private/loopback addresses (off: SSRF guard). */
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  WEBHOOK_MAX_ATTEMPTS: positiveInt.max(50).default(6),
  WEBHOOK_RETRY_BASE_MS: positiveInt.default(2000),
  /**
   * Addresses or CIDR ranges a source_url may reach although they are private or loopback
   * (comma-separated; `*` = any); empty = public addresses only (the SSRF guard the webhooks use).
   */
  SOURCE_URL_ALLOW: z.string().default('').refine((v) => v.trim() === '*' || v.split(',').map((e) => e.trim()).filter(Boolean).every(isAddressOrRange), {
    message: 'use addresses or CIDR ranges, comma-separated (10.0.0.0/8,127.0.0.1), or *',
  }),
  /** Seconds a source_url download may take in all, redirects included. */
  SOURCE_URL_TIMEOUT_S: positiveInt.max(3600).default(60),
  SOURCE_URL_MAX_REDIRECTS: z.coerce.number().int().min(0).max(20).default(5),
  WATCHDOG_INTERVAL_S: z.coerce.number().positive().max(3600).default(30),
  /** Origins browser pages may call from: `*` (any, as the older backend) or a comma list. */
  CORS_ORIGINS: z.string().default('*'),
  /** The older web frontend's settings, served by GET /config (same names and defaults as the older backend). */
  BASE_PATH: z.string().default(''),
  APP_DOMAIN: z.string().default('http://localhost:3000'),
  API_DOMAIN: z.string().default('http://localhost:8080'),
  IAM_DOMAIN: z.string().default('http://localhost:5000'),
  CLIENT_ID: z.string().default('dots-ocr-app'),
  IAM_SCOPE: z.string().default('openid profile email'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Distributed mode: pages run on worker nodes through BullMQ on this Redis (redis://host:port); empty = local. */
  REDIS_URL: z.string().default(''),
  /** Shared by the API node and every worker node: authenticates the internal routes. Required with REDIS_URL. */
  CLUSTER_SECRET: z.string().default(''),
  /** Worker nodes: the API node's base URL (http://api:8080). */
  CLUSTER_API_URL: z.string().default(''),
  /** BullMQ lock of a running page (ms): a worker node that dies loses its pages after this plus the stall check. */
  CLUSTER_LOCK_MS: positiveInt.min(500).default(30_000),
  /** How often worker nodes look for stalled pages (ms). */
  CLUSTER_STALLED_INTERVAL_MS: positiveInt.min(250).default(30_000),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export class ConfigError extends Error {}

/** CLI flags that map onto settings: `--port 9000`, `--host=127.0.0.1`, `--workers 4`. */
const FLAG_TO_SETTING: Record<string, keyof z.infer<typeof configSchema>> = {
  host: 'API_HOST',
  port: 'API_PORT',
  workers: 'NUM_WORKERS',
  'input-dir': 'INPUT_DIR',
  'output-dir': 'OUTPUT_DIR',
  'data-dir': 'DATA_DIR',
  'log-level': 'LOG_LEVEL',
  redis: 'REDIS_URL',
  api: 'CLUSTER_API_URL',
};

export function parseFlags(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const setting = Object.hasOwn(FLAG_TO_SETTING, rawName!) ? FLAG_TO_SETTING[rawName!] : undefined;
    if (!setting) throw new ConfigError(`Unknown option --${rawName}. Known: ${Object.keys(FLAG_TO_SETTING).map((f) => `--${f}`).join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`Option --${rawName} needs a value`);
    out[setting] = value;
  }
  return out;
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  /** Path of a dotenv file; missing is fine. */
  envFile?: string;
  /** Explicit values (tests); they win over everything. */
  overrides?: Partial<Record<keyof z.infer<typeof configSchema>, string | number>>;
}

/**
 * Settings whose empty value is a choice, not "unset": `CORS_ORIGINS=` means no cross-origin
 * browser access, so the default (`*`, any origin) must not fill it in.
 */
const EMPTY_IS_A_VALUE = new Set<string>(['CORS_ORIGINS']);

export function loadConfig(sources: ConfigSources = {}): Config {
  const fromFile = sources.envFile && fs.existsSync(sources.envFile) ? parseEnv(fs.readFileSync(sources.envFile, 'utf8')) : {};
  const keys = Object.keys(configSchema.shape);
  const given = (k: string, v: unknown) => keys.includes(k) && v !== undefined && (v !== '' || EMPTY_IS_A_VALUE.has(k));
  const pick = (obj: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(obj).filter(([k, v]) => given(k, v)));
  const merged = {
    ...pick(fromFile),
    ...pick(sources.env),
    ...pick(parseFlags(sources.argv ?? [])),
    ...pick(sources.overrides),
  };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(merged[issue.path[0] as string])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.REDIS_URL && c.CLUSTER_SECRET.length < 16) {
    throw new ConfigError('Invalid configuration:\n  CLUSTER_SECRET: set the same secret of at least 16 characters on every node (REDIS_URL is set)');
  }
  if (c.NUM_WORKERS === 0 && !c.REDIS_URL) {
    throw new ConfigError('Invalid configuration:\n  NUM_WORKERS: 0 needs REDIS_URL (worker nodes run the pages); use 1 or more in local mode');
  }
  return Object.freeze({
    ...c,
    INPUT_DIR: path.resolve(c.INPUT_DIR),
    OUTPUT_DIR: path.resolve(c.OUTPUT_DIR),
    DATA_DIR: path.resolve(c.DATA_DIR),
  });
}
