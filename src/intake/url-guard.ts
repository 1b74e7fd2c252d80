import dns from 'node:dns';
import net from 'node:net';
import { AppError, type ErrorCode } from '../errors.js';
import { embeddedIpv4 } from './ipv6-embedded.js';

/**
 * SSRF guard for outgoing requests (webhooks, documents by URL): loopback, private, link-local, unique-local, CGNAT, multicast
 * and unspecified addresses are refused unless the operator allows private targets. The check runs
 * on every address a name resolves to, at connection time (see `guardedLookup`), so a DNS answer
 * that changes between the check and the request cannot slip through.
 */
const BLOCKED = new net.BlockList();
for (const [addr, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(addr, prefix, 'ipv4');
// Besides loopback, unique-local, link-local and multicast: discard-only (100::/64), documentation
// (2001:db8::/32), deprecated site-local (fec0::/10) and local-use NAT64 (64:ff9b:1::/48).
for (const [addr, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['100::', 64], ['2001:db8::', 32], ['fec0::', 10], ['64:ff9b:1::', 48],
] as const) {
  BLOCKED.addSubnet(addr, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address.replace(/%.*$/, ''));
  if (family === 0) return true;
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  // IPv6 that carries an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) is judged by it too.
  const plain = address.replace(/%.*$/, '');
  return BLOCKED.check(plain, 'ipv6') || embeddedIpv4(plain).some((v4) => BLOCKED.check(v4, 'ipv4'));
}

/** Whether an outgoing request may reach an address (true = allowed). */
export type AddressCheck = (address: string) => boolean;

/** Public addresses only, or every address when the operator allows private ones (the webhooks' switch). */
export const publicUnless = (allowPrivate: boolean): AddressCheck => (address) => allowPrivate || !isPrivateAddress(address);

/**
 * Public addresses, plus the private ones an operator lists: addresses and CIDR ranges,
 * comma-separated (`10.20.0.0/16,127.0.0.1`), or `*` for every address.
 */
export function publicOrListed(allowList: string): AddressCheck {
  if (allowList.trim() === '*') return () => true;
  const listed = new net.BlockList();
  for (const entry of allowList.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) listed.addAddress(address, family);
    else listed.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    if (!isPrivateAddress(address)) return true;
    const plain = address.replace(/%.*$/, '');
    return listed.check(plain, net.isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  };
}

export interface UrlRules {
  /** The form field, for messages. */
  field: string;
  allows: AddressCheck;
  invalid: ErrorCode;
  refused: ErrorCode;
  /** What the operator sets to allow a refused address. */
  allowSetting: string;
}

/**
 * Checks an outgoing http(s) URL: its shape, and the address when the host is written as one (a
 * request to an IP literal never asks DNS, so `guardedLookup` would not see it). Names are judged
 * by `guardedLookup` when the request connects; `localhost` is judged here as the loopback it is.
 */
export function checkOutgoingUrl(value: string, rules: UrlRules): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError(rules.invalid, `${rules.field} is not a valid URL.`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || value.length > 2048) {
    throw new AppError(rules.invalid, `${rules.field} must be an http(s) URL without credentials, at most 2048 characters.`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  if ((net.isIP(host) && !rules.allows(host)) || (loopbackName && !rules.allows('127.0.0.1'))) {
    throw new AppError(rules.refused, `${rules.field} points at a private or loopback address (${host.slice(0, 100)}); set ${rules.allowSetting} to allow that.`);
  }
  return url;
}

/** Checks the shape of a callback URL when the conversion is submitted. */
export function checkCallbackUrl(value: string | undefined, allowPrivate: boolean): string | null {
  if (!value) return null;
  return checkOutgoingUrl(value, {
    field: 'callback_url', allows: publicUnless(allowPrivate), invalid: 'invalid_callback_url', refused: 'invalid_callback_url', allowSetting: 'WEBHOOK_ALLOW_PRIVATE=true',
  }).toString();
}

/** A `lookup` for http(s).request that refuses the addresses `allows` refuses (a boolean: private ones unless true). */
export function guardedLookup(allow: boolean | AddressCheck): net.LookupFunction {
  const allows = typeof allow === 'boolean' ? publicUnless(allow) : allow;
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !allows(a.address));
      if (bad || list.length === 0) {
        return callback(Object.assign(new Error(`refused: ${hostname} resolves to a private address`), { code: 'EPRIVATE' }), '', 0);
      }
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
