// Internal: what each config entry builds. Each entry is handed to the factory its schema came
// from, with secrets revealed and scorer / guard names replaced by the built parts.
import { contentSafetyReasoning } from '../guards/content-safety-reasoning.js';
import { jailbreakDetect } from '../guards/jailbreak-detect.js';
import { llamaGuard } from '../guards/llama-guard.js';
import { nemoguard } from '../guards/nemoguard.js';
import { nemotronSafetyGuard } from '../guards/nemotron-safety-guard.js';
import { topicControl } from '../guards/topic-control.js';
import type { Guard, Scorer } from '../interfaces.js';
import { bestOfN } from '../middleware/best-of-n/best-of-n.js';
import { extractReasoning } from '../middleware/extract-reasoning/extract-reasoning.js';
import { safety } from '../middleware/safety/safety.js';
import { scoreThreshold } from '../middleware/score-threshold/score-threshold.js';
import { speculativeBestOfN } from '../middleware/speculative-best-of-n/speculative-best-of-n.js';
import { toolPolicy } from '../middleware/tool-policy/tool-policy.js';
import type { Middleware } from '../pipeline/types.js';
import { createKServeScorer } from '../scorers/kserve.js';
import { nimReward } from '../scorers/nim-reward.js';
import { STEP_REFS } from './entries.js';
import { revealed } from './from-options.js';
import type { GuardConfigFile } from './schema.js';

type Entry<T> = NonNullable<T[keyof T]>;
type GuardEntry = GuardConfigFile['guards'][string];
type ScorerEntry = GuardConfigFile['scorers'][string];
type Step = GuardConfigFile['pipeline'][number];
type Closable = { close(): Promise<void> };

/** The one kind an entry sets (the schema checked there is exactly one). */
function kindOf<T extends object>(entry: T): [keyof T & string, Entry<T>] {
  return Object.entries(entry).find(([k, v]) => v !== undefined && k !== 'serveAs') as [keyof T & string, Entry<T>];
}

const onnx = () => import('../onnx/index.js');

/** A scorer entry's scorer; a local one is passed to `keep` so it is closed with the rest. */
export async function buildScorer(entry: ScorerEntry, keep: <T extends Closable>(model: T) => T): Promise<Scorer> {
  if (entry.onnx) return keep(await (await onnx()).loadScorer(entry.onnx));
  if (entry.kserve) {
    const { tokenizer, ...rest } = revealed(entry.kserve);
    return createKServeScorer({ ...rest, tokenizer: await (await onnx()).loadTokenizer({ path: tokenizer }) });
  }
  return nimReward(revealed(entry.nim!));
}

const REMOTE_GUARDS = { nemoguard, llamaGuard, nemotronSafetyGuard, topicControl, contentSafetyReasoning, jailbreakDetect } as const;

/** A guard entry's guard; a local one is passed to `keep` so it is closed with the rest. */
export async function buildGuard(entry: GuardEntry, keep: <T extends Closable>(model: T) => T): Promise<Guard> {
  if (entry.onnx) return keep(await (await onnx()).loadGuard(entry.onnx));
  const [kind, options] = kindOf(entry) as [keyof typeof REMOTE_GUARDS, unknown];
  return (REMOTE_GUARDS[kind] as (options: unknown) => Guard)(revealed(options));
}

const STEPS = { safety, toolPolicy, bestOfN, speculativeBestOfN, scoreThreshold, extractReasoning } as const;

/** A pipeline step's middleware; the names it holds were checked by the schema, so lookups cannot miss. */
export function buildStep(step: Step, parts: { scorers: Record<string, Scorer>; guards: Record<string, Guard> }): Middleware {
  const [kind, options] = kindOf(step);
  const resolved: Record<string, unknown> = revealed({ ...options });
  for (const [field, registry] of Object.entries(STEP_REFS[kind] as Record<string, 'scorers' | 'guards'>)) {
    resolved[field] = parts[registry][resolved[field] as string];
  }
  return (STEPS[kind] as (options: unknown) => Middleware)(resolved);
}
