import fs from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from './config.js';
import { ConfigError } from './config.js';

/**
 * API keys: `name:key` pairs from API_KEYS and API_KEYS_FILE. The name is what a conversion
 * records as its owner (keys themselves are never stored or logged). No keys configured = open.
 */
export interface ApiKeys {
  enabled: boolean;
  /** The key's name, or null for an unknown key. */
  identify(presented: string): string | null;
  /** Admin keys (ADMIN_API_KEYS) see server-wide totals in /stats and the pool status. */
  isAdmin(name: string): boolean;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function loadApiKeys(config: Config): ApiKeys {
  const entries: string[] = config.API_KEYS.split(',').map((e) => e.trim()).filter(Boolean);
  if (config.API_KEYS_FILE) {
    let text: string;
    try {
      text = fs.readFileSync(config.API_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError(`API_KEYS_FILE: cannot read ${config.API_KEYS_FILE} (${(err as NodeJS.ErrnoException).code})`);
    }
    entries.push(...text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  }
  const admins = config.ADMIN_API_KEYS.split(',').map((e) => e.trim()).filter(Boolean);
  const parse = (entry: string, admin: boolean) => {
    const i = entry.indexOf(':');
    const [name, key] = i > 0 ? [entry.slice(0, i), entry.slice(i + 1)] : [entry.slice(0, 6), entry];
    if (key.length < 16) throw new ConfigError(`API_KEYS: the key named "${name}" is shorter than 16 characters`);
    return { name, hash: digest(key), admin };
  };
  const keys = [...entries.map((e) => parse(e, false)), ...admins.map((e) => parse(e, true))];
  const adminNames = new Set(keys.filter((k) => k.admin).map((k) => k.name));
  return {
    enabled: keys.length > 0,
    identify(presented) {
      const h = digest(presented);
      // Compare against every key in constant time, so timing says nothing about which matched.
      let found: string | null = null;
      for (const k of keys) if (timingSafeEqual(h, k.hash)) found ??= k.name;
      return found;
    },
    isAdmin: (name) => adminNames.has(name),
  };
}

/** A fixed-window counter per key: enough to stop one client from flooding the server. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  /** Returns 0 when allowed, or the seconds to wait. */
  take(name: string, now = Date.now()): number {
    if (this.windows.size > 10_000) this.prune(now);
    const w = this.windows.get(name);
    if (!w || now - w.start >= 60_000) {
      this.windows.set(name, { start: now, count: 1 });
      return 0;
    }
    if (w.count < this.perMinute) {
      w.count++;
      return 0;
    }
    return Math.ceil((w.start + 60_000 - now) / 1000);
  }

  /** Seconds to wait when the window is used up, without counting this call; 0 otherwise. */
  blocked(name: string, now = Date.now()): number {
    const w = this.windows.get(name);
    if (!w || now - w.start >= 60_000 || w.count < this.perMinute) return 0;
    return Math.ceil((w.start + 60_000 - now) / 1000);
  }

  /** Forgets ended windows, so many distinct clients (addresses) cannot grow the map forever. */
  private prune(now: number): void {
    for (const [name, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(name);
  }
}
