import type { ChatWireOptions } from '../integrations/wire/run-chat.js';
import type { Secret } from '../internal/secret.js';
import type { DirectUpstream } from './direct-upstream.js';
import type { ServerMetrics } from './metrics.js';
import type { GuardServerOptions } from './options.js';
import type { StartCheck } from './start-check.js';

/** What one request needs to know about the server it arrived at. */
export interface ServerState {
  options: GuardServerOptions;
  token: Secret | string | undefined;
  bodyLimit: number;
  draining: boolean;
  /** Aborts every in-flight call when the shutdown deadline passes. */
  shutdown: AbortSignal;
  /** The chat calls in flight, aborted with the shutdown's reason (a set is cheaper per request than a listener each). */
  calls: Set<{ abort(reason: unknown): void }>;
  metrics: ServerMetrics | undefined;
  /** How the upstream is reached for pass-through routes (the Node transport). */
  fetch: typeof globalThis.fetch;
  /** The last start check (`server.check()`); undefined when none ran. */
  readiness: StartCheck | undefined;
  /** The wire options every chat request shares (the request id is added per request). */
  wire: ChatWireOptions;
  /** Set when nothing judges the answer (an empty pipeline before a remote upstream): chat goes straight to it. */
  direct: DirectUpstream | undefined;
}
