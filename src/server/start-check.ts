// The start check of `rewardgate serve`: every configured part answers with its credentials before
// the proxy takes traffic, so a load balancer never routes to a proxy that can only refuse.
import { describeError } from '../pipeline/report.js';
import type { ChatModel, Guard, Scorer } from '../interfaces.js';
import { redactCredentials } from '../integrations/wire/report-error.js';
import { maskInternalAddresses } from '../integrations/wire/mask-addresses.js';

/** One part's outcome: `upstream`, `scorer:<name>` or `guard:<name>`. */
export interface PartCheck {
  part: string;
  ok: boolean;
  latencyMs: number;
  /** Why it failed (masked: no credentials, no internal addresses). */
  error?: { name: string; message: string; code?: string };
}

/** The start check: ready when every part answered. */
export interface StartCheck {
  ready: boolean;
  checkedAt: string;
  parts: PartCheck[];
}

/** What the check calls: the parts a config built (scorers and guards by their config names). */
export interface CheckedParts {
  /** The model behind the pipeline (not the pipeline itself: its rails would judge the probe). */
  upstream: ChatModel | undefined;
  scorers: Record<string, Scorer>;
  guards: Record<string, Guard>;
}

/**
 * Calls each part once, all at once, with the smallest real request: the upstream a one-token
 * chat, each scorer one two-turn conversation, each guard one user turn. Any failure (a 401, a
 * model that does not exist, a guard whose replies never parse, a timeout) makes `ready` false.
 *
 * @example
 * const check = await checkParts(built, { timeoutMs: 10_000 });
 * if (!check.ready) console.error(check.parts.filter((p) => !p.ok));
 */
export async function checkParts(parts: CheckedParts, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<StartCheck> {
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 15_000), ...(options.signal ? [options.signal] : [])]);
  const { upstream } = parts;
  const probes: Array<[string, () => Promise<unknown>]> = [
    ...(upstream ? [['upstream', () => upstream.generate({ messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, temperature: 0 }, { signal })] as [string, () => Promise<unknown>]] : []),
    ...Object.entries(parts.scorers).map(([name, s]): [string, () => Promise<unknown>] => [
      `scorer:${name}`,
      () => s.score([[{ role: 'user', content: 'ping' }, { role: 'assistant', content: 'pong' }]], { signal }),
    ]),
    ...Object.entries(parts.guards).map(([name, g]): [string, () => Promise<unknown>] => [`guard:${name}`, () => g.check([{ role: 'user', content: 'Hello' }], { signal })]),
  ];
  const results = await Promise.all(probes.map(([part, probe]) => probeOne(part, probe)));
  return { ready: results.every((r) => r.ok), checkedAt: new Date().toISOString(), parts: results };
}

async function probeOne(part: string, probe: () => Promise<unknown>): Promise<PartCheck> {
  const started = performance.now();
  try {
    await probe();
    return { part, ok: true, latencyMs: elapsed(started) };
  } catch (error) {
    // A 400 / 422 still proves the part is reachable and takes our credentials: only the probe's
    // own request was refused (a model that rejects max_tokens, say).
    const status = (error as { status?: unknown })?.status;
    if (status === 400 || status === 422) return { part, ok: true, latencyMs: elapsed(started) };
    const { name, message } = describeError(error);
    const code = (error as { code?: unknown })?.code;
    const entry: PartCheck = { part, ok: false, latencyMs: elapsed(started), error: { name, message: maskInternalAddresses(redactCredentials(message)) } };
    if (typeof code === 'string') entry.error!.code = code;
    return entry;
  }
}

const elapsed = (since: number) => Math.round(performance.now() - since);

/** The check as log lines, one per failed part. */
export function describeCheck(check: StartCheck): string {
  return check.parts
    .filter((p) => !p.ok)
    .map((p) => `${p.part}: ${p.error!.name}: ${p.error!.message}`)
    .join('\n');
}
