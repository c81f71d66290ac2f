// The node:http side of the guard proxy: the server and its deadlines, one task per request (span,
// access log line, metrics), and a graceful close that knows which connections are busy.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import { tooLarge } from '../integrations/wire/read-body.js';
import { reportError, wireError, writeNodeJson } from '../integrations/openai-wire.js';
import { logRequest } from './access-log.js';
import { handleRequest } from './handle-request.js';
import type { GuardServerAddress, ListenTimeouts } from './options.js';
import type { RequestRecord } from './request-record.js';
import { withServerSpan } from './server-span.js';
import type { ServerState } from './server-state.js';

const DEFAULT_LISTEN_TIMEOUTS: Required<ListenTimeouts> = { headersMs: 20_000, bodyMs: 60_000, idleMs: 65_000 };

/** A node:http server with the proxy's client deadlines (see docs/server.md). */
export function createProxyServer(given: ListenTimeouts | undefined): Server {
  const timeouts = { ...DEFAULT_LISTEN_TIMEOUTS };
  for (const key of ['headersMs', 'bodyMs', 'idleMs'] as const) if (given?.[key] !== undefined) timeouts[key] = given[key];
  return createServer({
    // Node checks these deadlines on an interval: check often enough for the shortest one.
    connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(Math.min(timeouts.headersMs, timeouts.bodyMs) / 4))),
    headersTimeout: Math.min(timeouts.headersMs, timeouts.bodyMs),
    requestTimeout: timeouts.bodyMs,
    keepAliveTimeout: timeouts.idleMs,
  });
}

/** Requests in flight and the connections that carry them, for a close that drains. */
export class Serving {
  readonly server: Server;
  /** One promise per request being answered. */
  readonly active = new Set<Promise<void>>();
  readonly #state: ServerState;
  readonly #logger: Logger | undefined;
  // Sockets with an answer in progress; any other socket can be closed at shutdown at once.
  readonly #busy = new WeakMap<Socket, number>();
  readonly #sockets = new Set<Socket>();

  constructor(server: Server, state: ServerState, logger: Logger | undefined) {
    this.server = server;
    this.#state = state;
    this.#logger = logger;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', this.#onRequest);
    server.on('checkContinue', this.#onContinue);
  }

  /** Listens on `host:port` and resolves with the address. */
  listen(port: number, host: string): Promise<GuardServerAddress> {
    const { server } = this;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const info = server.address() as AddressInfo;
        const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({ host: info.address, port: info.port, url: `http://${shown}:${info.port}` });
      });
    });
  }

  /** Closes connections without an answer in progress (idle keep-alive, never sent a byte, headers half sent). */
  sweepIdle(): void {
    this.server.closeIdleConnections();
    for (const socket of this.#sockets) if (!this.#busy.get(socket)) socket.destroy();
  }

  readonly #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const record: RequestRecord = { id: requestIdOf(req), method: req.method ?? 'GET', route: 'other', status: 0, latencyMs: 0 };
    this.#track(req.socket, res, record, started);
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const done = () => void this.active.delete(task);
    const task = withServerSpan(record.method, query === -1 ? url : url.slice(0, query), record.id, async () => {
      await handleRequest(req, res, this.#state, record);
      return res.statusCode;
    }).then(done, (error: unknown) => {
      done();
      this.#failed(error, res, record);
    });
    this.active.add(task);
  };

  // `Expect: 100-continue` with a body past the limit: answer 413 instead of inviting the upload.
  readonly #onContinue = (req: IncomingMessage, res: ServerResponse): void => {
    if (Number(req.headers['content-length']) > this.#state.bodyLimit) {
      const { status, body } = tooLarge(this.#state.bodyLimit).wire;
      return writeNodeJson(res, status, body, { connection: 'close' });
    }
    res.writeContinue();
    this.#onRequest(req, res);
  };

  // The socket is busy until the answer closes; then the record goes to the metrics and the log.
  #track(socket: Socket, res: ServerResponse, record: RequestRecord, started: number): void {
    this.#busy.set(socket, (this.#busy.get(socket) ?? 0) + 1);
    // 'close' comes once: on() spares once()'s wrapper.
    res.on('close', () => {
      this.#busy.set(socket, (this.#busy.get(socket) ?? 1) - 1);
      record.status = res.headersSent ? res.statusCode : 499;
      record.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
      this.#state.metrics?.observe(record);
      if (this.#logger) logRequest(this.#logger, record);
    });
  }

  #failed(error: unknown, res: ServerResponse, record: RequestRecord): void {
    reportError(error, this.#state.options.onError, 'guard proxy request');
    const { status, body } = wireError(500, `The guard proxy failed (request id ${record.id})`, 'server_error', 'internal_error');
    record.code = 'internal_error';
    if (!res.headersSent) writeNodeJson(res, status, body, { 'x-request-id': record.id });
    else res.destroy();
  }
}

let idCounter = 0;
const idBase = Date.now().toString(36);

// The client's x-request-id when it is a sane token (a load balancer's id ties the logs together), else a fresh one.
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given)) return given;
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `rg-${idBase}-${process.pid.toString(36)}-${idCounter.toString(36)}`;
}
