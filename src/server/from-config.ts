// The guard server's options from either form: a model built in code, or a config file (built
// into a pipeline, its guards and scorers timed for /metrics, and the direct path when nothing
// judges the answer).
import { ValidationError } from '../errors.js';
import { buildFromConfig } from '../config/build.js';
import { revealed } from '../config/from-options.js';
import { parseConfig } from '../config/load.js';
import type { GuardConfigFile, GuardConfigInput } from '../config/schema.js';
import { DEFAULT_TIMEOUTS } from '../http/timeouts.js';
import { boundedFetch, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_ANSWER_CHARS } from '../integrations/wire/answer-limit.js';
import { RETRY_AFTER_CAP_MS } from '../internal/retry-timing.js';
import { Secret } from '../internal/secret.js';
import { isLoopback } from './access.js';
import { DirectUpstream } from './direct-upstream.js';
import { ServerMetrics } from './metrics.js';
import { createNodeFetch } from './node-fetch.js';
import type { GuardServerOptions } from './options.js';
import { promptRateLimits } from './prompt-rate-limits.js';
import { timedGuard, timedScorer } from './timed-parts.js';

/** A server's options, its direct upstream when it has one, and its metrics (undefined when off). */
export interface PreparedServer {
  options: GuardServerOptions;
  direct: DirectUpstream | undefined;
  metrics: ServerMetrics | undefined;
}

// node:http with a keep-alive agent (see node-fetch.ts); RG_UPSTREAM_FETCH=global switches to the
// global fetch (undici), e.g. to compare the two in bench/proxy.bench.ts.
export function upstreamFetch(): typeof globalThis.fetch {
  return process.env.RG_UPSTREAM_FETCH === 'global' ? (input, init) => globalThis.fetch(input, init) : createNodeFetch();
}

function checkAccess(host: string | undefined, token: unknown): void {
  const h = host ?? '127.0.0.1';
  const text = typeof token === 'string' ? token : token instanceof Secret ? token.reveal() : undefined;
  // Clients' tokens are compared trimmed, so a padded one could never match: refuse it at start.
  if (text !== undefined && (text !== text.trim() || text === '')) {
    throw new ValidationError('guard server options', [{ path: 'listen.token', message: 'the token has leading or trailing whitespace (or is empty); it could never match' }]);
  }
  if (!isLoopback(h) && !token) {
    throw new ValidationError('guard server options', [{ path: 'listen.token', message: `a bearer token is required to listen on ${h} (not a loopback address)` }]);
  }
}

/** Options of a model built in code (access checked). */
export function fromCode(input: GuardServerOptions): PreparedServer {
  checkAccess(input.host, input.token);
  return { options: { ...input }, direct: undefined, metrics: input.metrics === false ? undefined : new ServerMetrics() };
}

// Access is checked before any model is loaded, and the models are released if that fails later.
export async function fromConfig(input: GuardConfigInput | GuardConfigFile): Promise<PreparedServer> {
  const config = parseConfig(input, {}, 'guard server config');
  const { listen, upstream } = config;
  checkAccess(listen.host, listen.token);
  const limits = { maxAnswerBytes: config.limits?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES, maxAnswerChars: config.limits?.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS };
  // The upstream's answers are bounded where they are read: no body grows past maxAnswerBytes.
  // A Retry-After past the retry cap or the call's deadline goes back to the client at once.
  const maxWaitMs = Math.min(RETRY_AFTER_CAP_MS, upstream.timeouts?.totalMs ?? DEFAULT_TIMEOUTS.totalMs);
  const fetch = promptRateLimits(upstreamFetch(), maxWaitMs, upstream.apiKey?.reveal());
  // Guards and scorers are timed by their config names, for /metrics.
  const metrics = listen.metrics === false ? undefined : new ServerMetrics();
  const built = await buildFromConfig(config, {
    fetch: boundedFetch(fetch, limits.maxAnswerBytes),
    wrapGuard: metrics && ((name, guard) => timedGuard(name, guard, metrics)),
    wrapScorer: metrics && ((name, scorer) => timedScorer(name, scorer, metrics)),
  });
  const options: GuardServerOptions = {
    model: built.model,
    scorers: built.servedScorers,
    defaultModel: upstream.model,
    host: listen.host,
    port: listen.port,
    token: listen.token,
    bodyLimit: listen.bodyLimit,
    shutdownTimeoutMs: listen.shutdownTimeoutMs,
    reportCandidateText: listen.reportCandidateText,
    limits,
    timeouts: listen.timeouts,
    cors: listen.cors,
    report: listen.report,
    accessLog: listen.accessLog,
    metrics: listen.metrics,
    parts: { upstream: built.upstream, scorers: built.scorers, guards: built.guards },
    onClose: built.close,
  };
  if (listen.passThrough?.length && upstream.baseURL) options.passThrough = { routes: listen.passThrough, baseURL: upstream.baseURL, apiKey: upstream.apiKey };
  return { options, direct: directUpstream(config, limits.maxAnswerBytes, maxWaitMs), metrics };
}

// Nothing judges the answer (no pipeline steps) and the upstream is remote: the direct path.
// RG_DIRECT=0 keeps the full path (pipeline and client), e.g. to compare the two in a benchmark.
function directUpstream(config: GuardConfigFile, maxAnswerBytes: number, maxWaitMs: number): DirectUpstream | undefined {
  if (config.pipeline.length > 0 || config.upstream.onnx || process.env.RG_DIRECT === '0') return undefined;
  const { model: _model, onnx: _onnx, ...client } = config.upstream;
  return new DirectUpstream({ client: revealed(client), maxAnswerBytes, maxWaitMs });
}
