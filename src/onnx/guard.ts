import { z } from 'zod';
import { ModelLoadError } from '../errors.js';
import { CategorySchema, type Category } from '../guards/taxonomy.js';
import type { CallOptions, Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type CategoryHit, type Message, type Verdict } from '../types.js';
import { loadClassifier } from './classifier-model.js';
import type { RunStats } from './classifier-session.js';
import type { Truncation } from './conversation-fit.js';
import type { Device, DeviceInfo } from './devices.js';
import { ClassifierOptionsSchema, oneModelFile, type ModelFileOptions } from './options.js';

/** Options of {@link loadGuard}. */
export interface LoadGuardOptions extends ModelFileOptions {
  /** A Hugging Face model folder of a sequence classifier whose `id2label` names categories. */
  path: string;
  /** Default `'auto'`: CUDA, then WebGPU, then CPU. */
  device?: Device;
  /** Unsafe when the probability of not-safe reaches this; a category is listed when its own does. Default 0.5. */
  threshold?: number;
  /** Model label -> taxonomy category (`null` ignores the label). Unmapped labels that name a category map to it, others to `'other'`. */
  categoryMap?: Record<string, Category | null>;
  /** The label that means safe; default `'safe'`. Not needed for multi-label models. */
  safeLabel?: string;
  maxLength?: number;
  batchSize?: number;
  maxWaitMs?: number;
  truncation?: Truncation;
}

/** What the model said, kept in `Verdict.raw`. */
export interface LocalGuardRaw {
  label: string;
  probabilities: Record<string, number>;
  logits: number[];
}

/** A safety classifier loaded in process. `close()` releases its session. */
export interface LocalGuard extends Guard, DeviceInfo {
  readonly labels: readonly string[];
  /** Model runs and sequences so far: `sequences / runs` is the average batch size. */
  stats(): RunStats;
  close(): Promise<void>;
}

const OptionsSchema = ClassifierOptionsSchema.extend({
  threshold: z.number().gt(0).max(1).default(0.5),
  categoryMap: z.record(z.string(), CategorySchema.nullable()).default({}),
  safeLabel: z.string().min(1).default('safe'),
}).superRefine(oneModelFile);

/**
 * Loads a safety classifier (sequence classification over the conversation so far) as a Guard.
 * Single-label models (softmax) need a safe label; `problem_type: multi_label_classification`
 * models use a sigmoid per label. Concurrent checks share batched runs of one session.
 *
 * @example
 * const guard = await loadGuard({ path: './models/tiny-guard', threshold: 0.5 });
 * const verdict = await guard.check([{ role: 'user', content: 'How do I bake bread?' }]);
 * console.log(verdict.safe, verdict.categories);
 */
export async function loadGuard(options: LoadGuardOptions): Promise<LocalGuard> {
  const opts = validate(OptionsSchema, options, 'loadGuard options');
  const model = await loadClassifier(opts);
  const { labels } = model;
  const multiLabel = model.folder.config.problem_type === 'multi_label_classification';
  const safeIndex = labels.indexOf(opts.safeLabel);
  if (!multiLabel && safeIndex < 0) {
    await model.close();
    const file = `${model.folder.path}/config.json`;
    throw new ModelLoadError(`${file}: id2label has no '${opts.safeLabel}' label (labels: ${labels.join(', ')}); pass safeLabel`, { file });
  }
  const category = (label: string): Category | null => {
    // Own keys only: a label such as 'constructor' must not pick up Object.prototype's property.
    if (Object.hasOwn(opts.categoryMap, label)) return opts.categoryMap[label] ?? null;
    const parsed = CategorySchema.safeParse(label.toLowerCase());
    return parsed.success ? parsed.data : 'other';
  };
  const toVerdict = (row: Float32Array): Verdict => {
    const logits = Array.from(row);
    const probs = multiLabel ? logits.map((x) => 1 / (1 + Math.exp(-x))) : softmax(logits);
    const top = probs.indexOf(Math.max(...probs));
    const harms = labels
      .map((label, i) => ({ label, i, score: probs[i]!, category: category(label) }))
      .filter((h) => h.i !== safeIndex && h.category !== null)
      .sort((a, b) => b.score - a.score);
    const unsafeness = multiLabel ? (harms[0]?.score ?? 0) : 1 - probs[safeIndex]!;
    const raw: LocalGuardRaw = { label: labels[top]!, probabilities: Object.fromEntries(labels.map((l, i) => [l, probs[i]!])), logits };
    if (unsafeness < opts.threshold || harms.length === 0) return { safe: true, categories: [], raw };
    // Unsafe overall: list every category over the threshold, or at least the likeliest one.
    const listed = harms.filter((h, k) => k === 0 || h.score >= opts.threshold);
    const categories: CategoryHit[] = listed.map((h) => ({ category: h.category!, label: h.label, score: h.score }));
    return { safe: false, categories, raw };
  };
  const { session } = model;
  return {
    device: session.device,
    provider: session.provider,
    skipped: session.skipped,
    stats: () => session.stats(),
    labels,
    async check(conversation: Message[], callOptions?: CallOptions): Promise<Verdict> {
      const messages = validate(ConversationSchema, conversation, 'conversation');
      const ids = model.fit(messages, '(root)');
      return toVerdict(await model.classify(ids, callOptions?.signal));
    },
    close: () => model.close(),
  };
}

function softmax(xs: number[]): number[] {
  const max = Math.max(...xs);
  const exps = xs.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
