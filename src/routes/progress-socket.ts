import '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import { errorReply } from '../http/error-replies.js';
import { TERMINAL_STATUSES, type ProgressMessage } from '../schemas/conversion.js';
import type { AppDeps } from '../app-deps.js';
import { statsScope } from '../http/auth.js';

const PING_INTERVAL_MS = 30_000;
/** A client that does not read: drop intermediate progress for it rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const isTerminal = (m: ProgressMessage) => TERMINAL_STATUSES.includes(m.status);

/**
 * WS /ws/conversion/:id — first frame: a snapshot of the full record; then one frame per finished
 * page; last: `completed` (with per-page results), `error` or `cancelled`, after which the server
 * closes the socket (1000). A subscriber that comes late still gets the snapshot and the end.
 */
export const progressSocketRoutes: FastifyPluginAsync<AppDeps> = async (app, { service, metrics }) => {
  // Described in the API docs by openapi.ts (the websocket plugin's routes are not collected).
  app.get('/ws/conversion/:id', { websocket: true }, (socket: WebSocket, request) => {
    const { id } = request.params as { id: string };
    const log = request.log.child({ conversion_id: id });
    const send = (m: object) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
    };
    const end = () => {
      if (socket.readyState === socket.OPEN) socket.close(1000, 'conversion finished');
    };

    let watch: ReturnType<typeof service.queries.watch>;
    const early: ProgressMessage[] = [];
    let ready = false;
    const onMessage = (m: ProgressMessage) => {
      if (!ready) return void early.push(m);
      if (!isTerminal(m) && socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
      send(m);
      if (isTerminal(m)) end();
    };
    try {
      watch = service.queries.watch(id, onMessage, request.owner);
    } catch (err) {
      const { body, logAsError } = errorReply(err);
      if (logAsError) request.log.error({ err }, 'progress socket failed');
      send({ status: 'error', progress: 0, message: 'Conversion not found', error: body.detail, code: body.code });
      socket.close(1008, body.code);
      return;
    }
    send({ type: 'snapshot', conversion_id: id, ...watch.snapshot });
    metrics.socketOpened();

    const ping = setInterval(() => socket.ping(), PING_INTERVAL_MS);
    socket.on('close', () => {
      metrics.socketClosed();
      clearInterval(ping);
      watch.unsubscribe();
      log.debug('progress socket closed');
    });
    socket.on('error', (err) => log.warn({ err }, 'progress socket error'));

    // Messages published between the snapshot and now are delivered in order; if the conversion
    // had already ended before the snapshot, the terminal message is rebuilt from the store.
    ready = true;
    for (const m of early.splice(0)) onMessage(m);
    if (TERMINAL_STATUSES.includes(watch.snapshot.status) && socket.readyState === socket.OPEN) {
      // Deleted meanwhile, or results unreadable: the client still gets the snapshot and a clean close.
      service.queries.terminalMessage(id)
        .then((m) => m && send(m), (err: unknown) => log.warn({ err }, 'could not rebuild the final message'))
        .finally(end);
    }
  });
};

const POOL_INTERVAL_MS = 2000;

/**
 * WS /ws/conversions — one socket for a dashboard: first a snapshot of the latest conversions
 * and the pool, then every progress message of every conversion the caller may see, and the
 * pool's status every two seconds.
 */
export const dashboardSocketRoutes: FastifyPluginAsync<AppDeps> = async (app, { service, metrics }) => {
  app.get('/ws/conversions', { websocket: true }, (socket: WebSocket, request) => {
    const owner = request.owner;
    const send = (m: object) => {
      if (socket.readyState === socket.OPEN && socket.bufferedAmount < MAX_BUFFERED_BYTES) socket.send(JSON.stringify(m));
    };
    const scope = statsScope(request);
    send({ type: 'snapshot', conversions: service.queries.list({ owner, limit: 100, offset: 0 }).items, pool: service.queries.poolStatus(scope) });
    metrics.socketOpened();
    const unsubscribe = service.events.subscribeAll((m) => {
      if (!owner || service.queries.ownerOf(m.conversion_id) === owner) send(m);
    });
    const pool = setInterval(() => send({ type: 'pool', ...service.queries.poolStatus(scope) }), POOL_INTERVAL_MS);
    socket.on('close', () => {
      metrics.socketClosed();
      clearInterval(pool);
      unsubscribe();
    });
    socket.on('error', (err) => request.log.warn({ err }, 'dashboard socket error'));
  });
};
