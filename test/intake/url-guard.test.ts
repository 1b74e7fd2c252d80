import { describe, expect, it } from 'vitest';
import { checkCallbackUrl, guardedLookup, isPrivateAddress, publicOrListed } from '../../src/intake/url-guard.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { embeddedIpv4 } from '../../src/intake/ipv6-embedded.js';

/** IPv6 spellings of loopback / private IPv4 targets: each reaches the IPv4 host inside. */
const DISGUISED = [
  '::127.0.0.1', // IPv4-compatible, as in http://[::127.0.0.1]/
  '::7f00:1', // the same, as the URL parser normalises it
  '::ffff:127.0.0.1', // IPv4-mapped
  '::ffff:7f00:1',
  '::ffff:0:a00:1', // SIIT 10.0.0.1
  '64:ff9b::127.0.0.1', // NAT64
  '64:ff9b::a9fe:a9fe', // NAT64 169.254.169.254 (cloud metadata)
  '64:ff9b:1::1', // local-use NAT64
  '2002:7f00:1::', // 6to4 of 127.0.0.1
  '2002:c0a8:101::1', // 6to4 of 192.168.1.1
  '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1
  '2001:0:a00:1::1', // Teredo, server 10.0.0.1
  'fe80::1%eth0', // link-local with a zone
  '2001:db8::1', // documentation
  '100::1', // discard-only
];

describe('webhook address guard', () => {
  it('refuses every IPv6 form that embeds a private or loopback IPv4 address', () => {
    for (const a of DISGUISED) expect(isPrivateAddress(a), a).toBe(true);
  });

  it('still allows public addresses, including public ones inside 6to4/NAT64', () => {
    for (const a of ['8.8.8.8', '2606:4700::1111', '2002:808:808::1', '64:ff9b::808:808', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('refuses the bracketed URL forms at submit time', () => {
    for (const host of ['[::127.0.0.1]', '[::ffff:127.0.0.1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::1]', '[2001:0:4136:e378:8000:63bf:80ff:fffe]']) {
      expect(() => checkCallbackUrl(`http://${host}:8080/hook`, false), host).toThrow(expect.objectContaining({ code: 'invalid_callback_url' }));
    }
    expect(checkCallbackUrl('http://[2606:4700::1111]/hook', false)).toBe('http://[2606:4700::1111]/hook');
  });

  it('extracts the embedded IPv4 of each form', () => {
    expect(embeddedIpv4('::ffff:1.2.3.4')).toEqual(['1.2.3.4']);
    expect(embeddedIpv4('::102:304')).toEqual(['1.2.3.4']);
    expect(embeddedIpv4('64:ff9b::1.2.3.4')).toEqual(['1.2.3.4']);
    expect(embeddedIpv4('2002:102:304::')).toEqual(['1.2.3.4']);
    expect(embeddedIpv4('2001:0:102:304:0:0:fefd:fcfb')).toEqual(['1.2.3.4', '1.2.3.4']);
    expect(embeddedIpv4('2606:4700::1111')).toEqual([]);
  });
});

describe('source_url address allowlist (SOURCE_URL_ALLOW)', () => {
  it('allows public addresses and the listed private ones only', () => {
    const allows = publicOrListed('10.20.0.0/16, 127.0.0.1');
    for (const a of ['8.8.8.8', '10.20.3.4', '127.0.0.1', '2606:4700::1111']) expect(allows(a), a).toBe(true);
    for (const a of ['10.21.0.1', '127.0.0.2', '192.168.1.1', '169.254.169.254', '::1', '::ffff:10.21.0.1']) expect(allows(a), a).toBe(false);
    expect(publicOrListed('')('127.0.0.1')).toBe(false);
    expect(publicOrListed('*')('169.254.169.254')).toBe(true);
  });

  it('judges names by what they resolve to, at connection time', async () => {
    const lookup = guardedLookup(publicOrListed(''));
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(err?.code).toBe('EPRIVATE');
  });

  it('refuses a setting that is not addresses or ranges', () => {
    for (const bad of ['intranet.local', '10.0.0.0/33', '10.0.0.1/8/2', 'fd00::/129']) {
      expect(() => loadConfig({ overrides: { SOURCE_URL_ALLOW: bad } }), bad).toThrow(ConfigError);
    }
    expect(loadConfig({ overrides: { SOURCE_URL_ALLOW: '10.0.0.0/8,::1,fd00::/8' } }).SOURCE_URL_ALLOW).toBe('10.0.0.0/8,::1,fd00::/8');
  });
});
