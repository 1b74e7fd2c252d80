import autocannon from 'autocannon';
import { textPdf } from '../test/fixtures/pdf-fixtures.js';

export interface LatencyResult { requests: number; p50_ms: number; p99_ms: number; errors: number; non2xx: number }

function summarize(r: autocannon.Result): LatencyResult {
  return { requests: r.requests.total, p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

/** GET /worker-pool-status under load: bounded (duration and connections), loopback only. */
export async function statusLatency(url: string): Promise<LatencyResult> {
  return summarize(await autocannon({ url: `${url}/worker-pool-status`, connections: 10, duration: 5 }));
}

/** POST /convert with a small upload, a bounded number of times (each is a real conversion). */
export async function convertLatency(url: string, amount = 100): Promise<LatencyResult> {
  const boundary = 'pagemillbench';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tiny.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    textPdf([['A tiny born-digital page for the load test']]),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return summarize(await autocannon({
    url: `${url}/convert`, method: 'POST', connections: 5, amount, body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }));
}
