import { Counter, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from './request-record.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// Guards and scorers answer in milliseconds when local, in a second or so when remote.
const PART_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How one guard call ended: its verdict, a failure, or cancelled (a fan-out dropped it). */
export type GuardOutcome = 'safe' | 'unsafe' | 'error' | 'cancelled';
/** How one scorer call ended. */
export type ScorerOutcome = 'ok' | 'error' | 'cancelled';

/** What a finished request adds to the metrics, read from its record when it finished. */
type Observation = Pick<RequestRecord, 'route' | 'status' | 'latencyMs' | 'upstreamStatus' | 'upstreamMs' | 'candidates' | 'verdicts' | 'usage'>;

/** Requests observed before they are counted in prom-client (also at every read of a metric). */
const BATCH = 256;

/**
 * The proxy's Prometheus metrics, in a registry of its own (two servers in one process do not
 * mix their counts). Served as text at `GET /metrics`. Label children are kept per label set:
 * prom-client hashes the labels on every call otherwise. A request's figures are counted in
 * batches: prom-client's per-call work (label checks, hashing), interleaved with each request's
 * I/O, cost more than the rest of a direct request's bookkeeping; every metric's `collect`
 * counts what is pending first, so a read always sees every finished request.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #pending: Observation[] = [];
  readonly #collect = () => this.#flush();
  readonly #requests = new Counter({ name: 'rewardgate_requests_total', help: 'Requests answered, by route and status', labelNames: ['route', 'status'], registers: [this.registry], collect: this.#collect });
  readonly #latency = new Histogram({ name: 'rewardgate_request_duration_seconds', help: 'Time to the end of the answer, by route', labelNames: ['route'], buckets: SECONDS, registers: [this.registry], collect: this.#collect });
  readonly #upstream = new Histogram({ name: 'rewardgate_upstream_duration_seconds', help: 'Upstream model calls (each candidate), by upstream status', labelNames: ['status'], buckets: SECONDS, registers: [this.registry], collect: this.#collect });
  readonly #guards = new Histogram({ name: 'rewardgate_guard_duration_seconds', help: 'Guard calls, by guard (its config name) and outcome', labelNames: ['guard', 'outcome'], buckets: PART_SECONDS, registers: [this.registry] });
  readonly #scorers = new Histogram({ name: 'rewardgate_scorer_duration_seconds', help: 'Scorer calls (one batch each), by scorer (its config name) and outcome', labelNames: ['scorer', 'outcome'], buckets: PART_SECONDS, registers: [this.registry] });
  readonly #refusals = new Counter({ name: 'rewardgate_refusals_total', help: 'Refused answers, by rail and taxonomy category', labelNames: ['rail', 'category'], registers: [this.registry], collect: this.#collect });
  readonly #candidates = new Histogram({ name: 'rewardgate_candidates_per_request', help: 'Upstream candidates generated per chat request', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [this.registry], collect: this.#collect });
  readonly #tokens = new Counter({ name: 'rewardgate_tokens_total', help: 'Tokens of the returned answers, by kind', labelNames: ['kind'], registers: [this.registry], collect: this.#collect });
  readonly #children = new Map<object, Map<string, Counter.Internal | Histogram.Internal<string>>>();

  /** Counts one finished request (its record as it is now: later changes to it are not counted). */
  observe(record: RequestRecord): void {
    const { route, status, latencyMs, upstreamStatus, upstreamMs, candidates, verdicts, usage } = record;
    this.#pending.push({ route, status, latencyMs, upstreamStatus, upstreamMs, candidates, verdicts, usage });
    if (this.#pending.length >= BATCH) this.#flush();
  }

  // Counter increments of a batch are summed per label set: one inc() each.
  #flush(): void {
    const pending = this.#pending;
    const sums = new Map<Counter.Internal, number>();
    try {
      for (let i = 0; i < pending.length; i++) this.#count1(pending[i]!, sums);
    } finally {
      pending.length = 0;
      for (const [child, n] of sums) child.inc(n);
    }
  }

  #count1(record: Observation, sums: Map<Counter.Internal, number>): void {
    const status = String(record.status);
    add(sums, this.#count(this.#requests, record.route, status), 1);
    this.#histogram(this.#latency, record.route).observe(record.latencyMs / 1000);
    if (record.upstreamStatus !== undefined && record.upstreamMs !== undefined) this.#histogram(this.#upstream, String(record.upstreamStatus)).observe(record.upstreamMs / 1000);
    if (record.candidates !== undefined) this.#candidates.observe(record.candidates);
    for (const v of record.verdicts ?? []) {
      if (v.safe) continue;
      const categories = v.categories.length ? v.categories : ['unknown'];
      for (const category of categories) add(sums, this.#count(this.#refusals, v.rail, category), 1);
    }
    if (record.usage) {
      add(sums, this.#count(this.#tokens, 'prompt'), record.usage.promptTokens);
      add(sums, this.#count(this.#tokens, 'completion'), record.usage.completionTokens);
    }
  }

  /** Times one guard call. */
  guardCall(guard: string, outcome: GuardOutcome, seconds: number): void {
    this.#histogram(this.#guards, guard, outcome).observe(seconds);
  }

  /** Times one scorer call. */
  scorerCall(scorer: string, outcome: ScorerOutcome, seconds: number): void {
    this.#histogram(this.#scorers, scorer, outcome).observe(seconds);
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #count(metric: Counter<string>, ...values: string[]): Counter.Internal {
    return this.#child(metric, values) as Counter.Internal;
  }

  #histogram(metric: Histogram<string>, ...values: string[]): Histogram.Internal<string> {
    return this.#child(metric, values) as Histogram.Internal<string>;
  }

  #child(metric: Counter<string> | Histogram<string>, values: string[]): Counter.Internal | Histogram.Internal<string> {
    let children = this.#children.get(metric);
    if (!children) this.#children.set(metric, (children = new Map()));
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let child = children.get(key);
    if (!child) children.set(key, (child = metric.labels(...values)));
    return child;
  }
}

// Sums a batch's increments per counter child (one closure per record otherwise).
function add(sums: Map<Counter.Internal, number>, child: Counter.Internal, n: number): void {
  sums.set(child, (sums.get(child) ?? 0) + n);
}
