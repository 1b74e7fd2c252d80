import dns from 'node:dns';
import net from 'node:net';
import { AppError } from '../errors.js';
import { embeddedIpv4 } from './ipv6-embedded.js';

/**
 * SSRF guard for webhook targets: loopback, private, link-local, unique-local, CGNAT, multicast
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

/** Checks the shape of a callback URL when the conversion is submitted. */
export function checkCallbackUrl(value: string | undefined, allowPrivate: boolean): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('invalid_callback_url', 'callback_url is not a valid URL.');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || value.length > 2048) {
    throw new AppError('invalid_callback_url', 'callback_url must be an http(s) URL without credentials, at most 2048 characters.');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (net.isIP(host) ? isPrivateAddress(host) : host === 'localhost' || host.endsWith('.localhost'))) {
    throw new AppError('invalid_callback_url', 'callback_url points at a private or loopback address; set WEBHOOK_ALLOW_PRIVATE=true to allow that.');
  }
  return url.toString();
}

/** A `lookup` for http(s).request that refuses private addresses unless allowed. */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !allowPrivate && isPrivateAddress(a.address));
      if (bad || list.length === 0) {
        return callback(Object.assign(new Error(`refused: ${hostname} resolves to a private address`), { code: 'EPRIVATE' }), '', 0);
      }
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
