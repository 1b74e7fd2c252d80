// A TCP proxy on loopback that can "stall": stop moving bytes in both directions without closing
// anything, then resume. It stands in for a network partition between one worker node and the rest
// of the cluster (Redis and the API node): a killed process closes its sockets and the peers see
// it at once, but a partition leaves every connection open and silent, which is what exercises
// BullMQ's lock expiry, ioredis' reconnect logic and the API node's heartbeat pruning.
import net from 'node:net';

/** Request/answer timing of one connection, for spotting a peer that stops answering. */
interface Exchange {
  /** When bytes went upstream with nothing back since (null: answered). Stalls do not count. */
  waitingSince: number | null;
  bytesUp: number;
}

/** A connection that waited longer than `slowMs` for the upstream's first byte back. */
export interface SlowAnswer { at: string; waited_ms: number; answered: boolean; bytes_up: number }

/** One direction of a proxied connection: bytes read from `from` go to `to`. */
interface Direction {
  upstream: boolean;
  exchange: Exchange;
  from: net.Socket;
  to: net.Socket;
  /** Chunks read while stalled (or before the upstream connected), in order. */
  held: Buffer[];
  /** `from` ended while stalled: end `to` once the held bytes are through. */
  ended: boolean;
}

export class TcpStallProxy {
  private readonly server = net.createServer((client) => this.accept(client));
  private readonly directions = new Set<Direction>();
  private readonly sockets = new Set<net.Socket>();
  private stalled = false;
  private resumeTimer: NodeJS.Timeout | null = null;
  /** Closes that happened during a stall, passed on once it ends. */
  private afterStall: (() => void)[] = [];
  /** Connections accepted so far (a worker node reconnecting shows up here). */
  accepted = 0;
  port = 0;

  /** Upstream answers slower than `slowMs` (outside stalls), to tell a silent peer from the proxy. */
  readonly slow: SlowAnswer[] = [];
  private readonly exchanges = new Set<Exchange>();

  /**
   * Forwards 127.0.0.1:`port` (0: any free port) to 127.0.0.1:`targetPort`. Only loopback, ever.
   * `slowMs`: note requests unanswered that long (0: off — Redis' blocking reads wait on purpose).
   */
  constructor(private readonly targetPort: number, private readonly slowMs = 0) {}

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  get isStalled(): boolean {
    return this.stalled;
  }

  /** Stops forwarding for `ms`, then resumes; resolves when forwarding has resumed. */
  async stallFor(ms: number): Promise<void> {
    this.stall();
    await new Promise<void>((resolve) => {
      this.resumeTimer = setTimeout(() => {
        this.resumeTimer = null;
        this.resume();
        resolve();
      }, ms);
    });
  }

  stall(): void {
    this.stalled = true;
    // Paused sockets stop reading, so the kernel's buffers fill and the senders' writes back up,
    // exactly as over a dead link; nothing is lost, it is delivered on resume.
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.stalled = false;
    // Time spent stalled is the partition's, not the peer's: waits restart from now.
    for (const e of this.exchanges) if (e.waitingSince !== null) e.waitingSince = Date.now();
    for (const d of this.directions) this.flush(d);
    for (const s of this.sockets) if (!s.destroyed && !s.connecting) s.resume();
    for (const close of this.afterStall.splice(0)) close();
  }

  async close(): Promise<void> {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    for (const e of this.exchanges) this.settle(e, false);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    // Connected to the target at once even while stalled (a partition still accepts SYNs on this
    // side); nothing it sends or receives moves until resume.
    const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.once('close', () => this.sockets.delete(s));
    }
    if (this.stalled) client.pause();
    const exchange: Exchange = { waitingSince: null, bytesUp: 0 };
    this.exchanges.add(exchange);
    client.once('close', () => {
      this.settle(exchange, false);
      this.exchanges.delete(exchange);
    });
    const up: Direction = { upstream: true, exchange, from: client, to: upstream, held: [], ended: false };
    const down: Direction = { upstream: false, exchange, from: upstream, to: client, held: [], ended: false };
    for (const d of [up, down]) this.wire(d);
    upstream.once('connect', () => {
      if (this.stalled) upstream.pause();
      else this.flush(up);
    });
    // One side gone (a killed worker node, the API node restarting, a refused connect) ends the
    // other — but not while stalled: the partition hides it until it heals.
    const teardown = (other: net.Socket) => (hadError?: boolean | Error) => {
      const close = () => {
        if (other.destroyed) return;
        if (hadError) return void other.destroy();
        other.end(); // after what it still has to write; destroyed if the peer never answers
        setTimeout(() => other.destroy(), 2000).unref();
      };
      if (this.stalled) this.afterStall.push(close);
      else close();
    };
    client.once('error', teardown(upstream));
    upstream.once('error', teardown(client));
    client.once('close', teardown(upstream));
    upstream.once('close', teardown(client));
  }

  private wire(d: Direction): void {
    this.directions.add(d);
    d.from.on('data', (chunk: Buffer) => {
      if (d.upstream) {
        d.exchange.bytesUp += chunk.length;
        d.exchange.waitingSince ??= Date.now();
      } else {
        this.settle(d.exchange, true);
      }
      // A chunk already read from the kernel when the stall began, or one read before the
      // upstream finished connecting: hold it, in order.
      if (this.stalled || d.to.connecting) {
        d.held.push(chunk);
        if (this.stalled) d.from.pause();
        return;
      }
      this.flush(d);
      if (!d.to.write(chunk)) d.from.pause();
    });
    d.to.on('drain', () => {
      if (!this.stalled) d.from.resume();
    });
    d.from.once('end', () => {
      d.ended = true;
      this.flush(d);
    });
    d.from.once('close', () => this.directions.delete(d));
  }

  private flush(d: Direction): void {
    if (this.stalled || d.to.connecting || d.to.destroyed) return;
    while (d.held.length) d.to.write(d.held.shift()!);
    if (d.ended && !d.to.writableEnded) d.to.end();
  }

  /** A wait ended (answered, or the connection closed): noted when it was slow. */
  private settle(e: Exchange, answered: boolean): void {
    if (e.waitingSince === null) return;
    const waited = Date.now() - e.waitingSince;
    if (this.slowMs && waited >= this.slowMs && !this.stalled) {
      this.slow.push({ at: new Date(e.waitingSince).toISOString(), waited_ms: waited, answered, bytes_up: e.bytesUp });
    }
    e.waitingSince = null;
  }
}
