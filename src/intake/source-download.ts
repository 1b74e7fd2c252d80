import { createWriteStream } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';
import { VERSION } from '../version.js';
import { checkOutgoingUrl, guardedLookup, type AddressCheck, type UrlRules } from './url-guard.js';
import { sourceName } from './source-name.js';

export interface DownloadLimits {
  /** Which addresses may be reached (see publicOrListed). */
  allows: AddressCheck;
  /** The upload limit: a URL is no way around MAX_UPLOAD_MB. */
  maxBytes: number;
  /** The whole download, every redirect and the body included. */
  timeoutMs: number;
  maxRedirects: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads a document named by `source_url` into `target` (a temporary file the caller owns and
 * removes on failure), through the same address guard the webhooks use: the URL and every redirect
 * are checked before they are followed, and every name is judged by the addresses it resolves to at
 * connection time, so neither a redirect nor a DNS answer can lead the server to an internal host.
 * Returns the document's display name; its type is sniffed from the bytes afterwards, as an upload's.
 */
export async function downloadSource(value: string, target: string, limits: DownloadLimits): Promise<{ originalName: string }> {
  const rules: UrlRules = {
    field: 'source_url', allows: limits.allows, invalid: 'invalid_source_url', refused: 'source_url_refused', allowSetting: 'SOURCE_URL_ALLOW',
  };
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  let url = checkOutgoingUrl(value, rules);
  try {
    for (let hop = 0; ; hop++) {
      const res = await get(url, limits.allows, deadline);
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.resume();
        if (hop >= limits.maxRedirects) throw unreachable(`source_url redirected more than ${limits.maxRedirects} times (SOURCE_URL_MAX_REDIRECTS).`);
        url = redirectTarget(res.headers.location, url, rules);
        continue;
      }
      if (status < 200 || status > 299) {
        res.resume();
        throw unreachable(`${url.host} answered HTTP ${status} for source_url; check the URL opens from the server's network.`);
      }
      await saveBody(res, target, limits.maxBytes);
      return { originalName: sourceName(res.headers['content-disposition'], url) };
    }
  } catch (err) {
    throw downloadError(err, deadline, limits);
  }
}

function get(url: URL, allows: AddressCheck, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, {
      lookup: guardedLookup(allows),
      // A fresh connection every time: a kept-alive socket to the same host and port, opened under
      // another caller's rules (a webhook's WEBHOOK_ALLOW_PRIVATE), must not carry this request.
      agent: false,
      signal,
      headers: { 'user-agent': `pagemill/${VERSION}`, accept: 'application/pdf, image/*;q=0.9, */*;q=0.5', 'accept-encoding': 'identity' },
    }, resolve);
    request.once('error', reject);
  });
}

/** A redirect is a new URL from the other server: checked like the first one, refusals named as redirects. */
function redirectTarget(location: string, from: URL, rules: UrlRules): URL {
  let next: string;
  try {
    next = new URL(location, from).toString();
  } catch {
    throw unreachable(`${from.host} redirected source_url to something that is not a URL.`);
  }
  try {
    return checkOutgoingUrl(next, rules);
  } catch (err) {
    if (err instanceof AppError && err.code === 'source_url_refused') {
      throw new AppError('source_url_refused', `source_url redirected to a private or loopback address, which is refused; the operator can allow it in SOURCE_URL_ALLOW.`);
    }
    throw unreachable(`${from.host} redirected source_url to a URL that is not http(s) or carries credentials.`);
  }
}

/** Streams the body to `target`, stopping as soon as it passes `maxBytes` (a Content-Length over it is refused unread). */
async function saveBody(res: IncomingMessage, target: string, maxBytes: number): Promise<void> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge(maxBytes, declared);
  }
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
  await pipeline(res, counter, createWriteStream(target));
}

const unreachable = (detail: string) => new AppError('source_url_unreachable', detail);

function tooLarge(maxBytes: number, declared?: number): AppError {
  const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
  return new AppError('source_url_too_large', `The document at source_url is ${declared ? mb(declared) : `over ${mb(maxBytes)}`}; MAX_UPLOAD_MB allows ${mb(maxBytes)}. Split the document or ask the operator to raise the limit.`);
}

/** Network failures, the guard's refusal and the deadline, as the caller's codes; the message names the cause, never a stack. */
function downloadError(err: unknown, deadline: AbortSignal, limits: DownloadLimits): unknown {
  if (deadline.aborted) {
    return new AppError('source_url_timeout', `Downloading source_url took longer than ${limits.timeoutMs / 1000} s (SOURCE_URL_TIMEOUT_S); retry, or upload the file instead.`);
  }
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'EPRIVATE') {
    return new AppError('source_url_refused', 'source_url (or a redirect) names a host that resolves to a private or loopback address, which is refused; the operator can allow it in SOURCE_URL_ALLOW.');
  }
  const why: Record<string, string> = {
    ENOTFOUND: 'its host name was not found', EAI_AGAIN: 'its host name could not be resolved now', ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was cut', EHOSTUNREACH: 'the host is unreachable', ENETUNREACH: 'the network is unreachable', ETIMEDOUT: 'the connection timed out',
  };
  const reason = why[code] ?? (code.startsWith('ERR_TLS') || code.includes('CERT') ? `its TLS certificate was refused (${code})` : `the download failed${code ? ` (${code})` : ''}`);
  return unreachable(`source_url could not be downloaded: ${reason}; check that the URL opens from the server's network, or upload the file instead.`);
}
