import client from 'prom-client';
import type { ConversionService } from '../jobs/workflow/conversion-service.js';

/**
 * Prometheus metrics. Page outcomes are counted from the progress events, so the service carries
 * no metrics code; gauges are read from the service when Prometheus scrapes.
 */
export interface Metrics {
  registry: client.Registry;
  socketOpened(): void;
  socketClosed(): void;
}

export function createMetrics(service: ConversionService): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'pagemill_' });

  const pages = new client.Counter({
    name: 'pagemill_pages_total', help: 'Pages finished, by source (text-layer, ocr) and outcome (done, failed).',
    labelNames: ['source', 'outcome'] as const, registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'pagemill_page_duration_seconds', help: 'Time a worker spent on a page, by source.',
    labelNames: ['source'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128], registers: [registry],
  });
  const finished = new client.Counter({
    name: 'pagemill_conversions_finished_total', help: 'Conversions that ended, by status.', labelNames: ['status'] as const, registers: [registry],
  });
  let sockets = 0;
  new client.Gauge({ name: 'pagemill_websocket_connections', help: 'Open progress WebSockets.', registers: [registry], collect() { this.set(sockets); } });
  new client.Gauge({
    name: 'pagemill_conversions', help: 'Conversions in the store, by status.', labelNames: ['status'] as const, registers: [registry],
    collect() {
      for (const [status, n] of Object.entries(service.queries.stats().conversions)) this.set({ status }, n);
    },
  });
  const pool = () => service.queries.poolStatus();
  new client.Gauge({ name: 'pagemill_queue_pages', help: 'Pages waiting for a worker.', registers: [registry], collect() { this.set(pool().pages_queued); } });
  new client.Gauge({ name: 'pagemill_pages_active', help: 'Pages being processed now.', registers: [registry], collect() { this.set(pool().pages_active); } });
  new client.Gauge({ name: 'pagemill_busy_workers', help: 'Worker threads busy now.', registers: [registry], collect() { this.set(pool().busy_workers); } });
  new client.Gauge({ name: 'pagemill_workers', help: 'Worker threads configured (NUM_WORKERS).', registers: [registry], collect() { this.set(pool().num_workers); } });
  new client.Gauge({ name: 'pagemill_worker_threads', help: 'Page threads running now (in a cluster: over every worker node).', registers: [registry], collect() { this.set(pool().worker_threads); } });
  // Distributed mode: one series per worker node heard from lately.
  new client.Gauge({
    name: 'pagemill_cluster_node_threads', help: 'Threads of each worker node, by node and state (busy, total).', labelNames: ['node', 'state'] as const, registers: [registry],
    collect() {
      this.reset();
      const p = pool();
      for (const n of ('cluster' in p ? p.cluster?.nodes : undefined) ?? []) {
        this.set({ node: n.node, state: 'total' }, n.threads);
        this.set({ node: n.node, state: 'busy' }, n.busy);
      }
    },
  });

  service.events.subscribeAll((m) => {
    if (m.status === 'processing' && (m.step === 'page_done' || m.step === 'page_failed')) {
      const source = m.source ?? 'none';
      pages.inc({ source, outcome: m.step === 'page_done' ? 'done' : 'failed' });
      if (m.page_duration_ms !== null) duration.observe({ source }, m.page_duration_ms / 1000);
    } else if (m.status !== 'processing') {
      finished.inc({ status: m.status });
    }
  });

  return { registry, socketOpened: () => void sockets++, socketClosed: () => void sockets-- };
}
