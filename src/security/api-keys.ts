import fs from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';

/**
 * API keys: `name:key` pairs from API_KEYS and API_KEYS_FILE. The name is what a conversion
 * records as its owner (keys themselves are never stored or logged). No keys configured = open.
 */
export interface ApiKeys {
  enabled: boolean;
  /** Who the key is, or null for an unknown key. */
  identify(presented: string): KeyIdentity | null;
  /**
   * Owners that unnamed keys had before they were named by hash (their first 6 characters), mapped
   * to their names now, where that old name was one key's alone: their conversions move over at
   * start, so an upgrade loses nobody their conversions.
   */
  legacyOwners: ReadonlyMap<string, string>;
}

export interface KeyIdentity {
  /** The owner recorded on conversions: unique per key. */
  name: string;
  /** Listed in ADMIN_API_KEYS: sees server-wide totals in /stats and the pool status, and Bull Board. */
  admin: boolean;
}

interface KeyEntry extends KeyIdentity {
  hash: Buffer;
  /** Where it was listed, for error messages (never the key itself). */
  source: string;
  /** An unnamed key's owner name before 2026-12 (its first 6 characters). */
  legacyName?: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The name of a key listed without one. The name is the owner of its conversions, so it must
 * differ between keys (a prefix of the key did not: `pm_live_…` keys all shared one) and stay the
 * same across restarts (stored records refer to it); a hash prefix is both and reveals nothing
 * of the key, where the key's own characters would end up in records and logs.
 */
export const unnamedKeyName = (key: string) => `key-${digest(key).toString('hex').slice(0, 12)}`;

function parseEntry(entry: string, admin: boolean, source: string): KeyEntry {
  const i = entry.indexOf(':');
  const [name, key] = i > 0 ? [entry.slice(0, i), entry.slice(i + 1)] : [unnamedKeyName(entry), entry];
  if (key.length < 16) throw new ConfigError(`${source}: the key named "${name}" is shorter than 16 characters`);
  return { name, hash: digest(key), admin, source, ...(i > 0 ? {} : { legacyName: entry.slice(0, 6) }) };
}

/**
 * One entry per key. The same key listed twice under one name is one key (ADMIN_API_KEYS wins,
 * so an admin key may also sit in the shared API_KEYS list); anything else that would make a
 * name mean two keys, or a key two names, is refused: the owner of a conversion must be one key.
 */
function mergeEntries(entries: KeyEntry[]): KeyEntry[] {
  const byName = new Map<string, KeyEntry>();
  const byHash = new Map<string, KeyEntry>();
  for (const e of entries) {
    const same = byName.get(e.name);
    if (same && !same.hash.equals(e.hash)) {
      throw new ConfigError(`${e.source}: two different keys are named "${e.name}" (also in ${same.source}); `
        + 'a name owns its conversions, so give each key its own name');
    }
    const other = byHash.get(e.hash.toString('hex'));
    if (other && other.name !== e.name) {
      throw new ConfigError(`${e.source}: the key named "${e.name}" is also listed as "${other.name}" (in ${other.source}); `
        + 'give a key one name');
    }
    if (same) same.admin ||= e.admin;
    else {
      const kept = { ...e };
      byName.set(e.name, kept);
      byHash.set(e.hash.toString('hex'), kept);
    }
  }
  return [...byName.values()];
}

/** Old owner name → new, for the unnamed keys whose old name was theirs alone. */
function legacyOwnersOf(keys: KeyEntry[]): Map<string, string> {
  const claims = new Map<string, string[]>();
  for (const k of keys) if (k.legacyName) claims.set(k.legacyName, [...(claims.get(k.legacyName) ?? []), k.name]);
  const names = new Set(keys.map((k) => k.name));
  // Two keys that shared an old name shared its conversions too: nobody can tell whose they are.
  return new Map([...claims].filter(([old, owners]) => owners.length === 1 && !names.has(old)).map(([old, [owner]]) => [old, owner!]));
}

export function loadApiKeys(config: Config): ApiKeys {
  const split = (list: string) => list.split(',').map((e) => e.trim()).filter(Boolean);
  const entries = split(config.API_KEYS).map((e) => parseEntry(e, false, 'API_KEYS'));
  if (config.API_KEYS_FILE) {
    let text: string;
    try {
      text = fs.readFileSync(config.API_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError(`API_KEYS_FILE: cannot read ${config.API_KEYS_FILE} (${(err as NodeJS.ErrnoException).code})`);
    }
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    entries.push(...lines.map((l) => parseEntry(l, false, 'API_KEYS_FILE')));
  }
  entries.push(...split(config.ADMIN_API_KEYS).map((e) => parseEntry(e, true, 'ADMIN_API_KEYS')));
  const keys = mergeEntries(entries);
  return {
    enabled: keys.length > 0,
    legacyOwners: legacyOwnersOf(keys),
    identify(presented) {
      const h = digest(presented);
      // Compare against every key in constant time, so timing says nothing about which matched.
      let found: KeyEntry | null = null;
      for (const k of keys) if (timingSafeEqual(h, k.hash)) found ??= k;
      // Admin rights come with the key that matched, not with a lookup by name.
      return found && { name: found.name, admin: found.admin };
    },
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
