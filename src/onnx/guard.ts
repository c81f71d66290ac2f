import type * as z from 'zod/mini';
import { ModelLoadError, ValidationError } from '../errors.js';
import { guardCall } from '../guards/guard-failure.js';
import { promptGuardCategories } from '../guards/taxonomy-maps.js';
import { CategorySchema, type Category } from '../taxonomy.js';
import type { CallOptions, Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type CategoryHit, type Message, type Verdict } from '../types.js';
import { loadClassifier } from './classifier-model.js';
import type { RunStats } from './classifier-session.js';
import type { DeviceInfo } from './devices.js';
import { guardInput, type GuardReader, type GuardTruncation } from './guard-input.js';
import { LoadGuardOptionsSchema } from './options.js';
import { tokenizerFiles } from './tokenizer.js';
import { textFrame } from './text-frame.js';

/**
 * Options of {@link loadGuard}.
 *
 * @example
 * const options: LoadGuardOptions = { path: './models/prompt-guard-2-86m', truncation: 'window', threshold: 0.8 };
 * @interface
 */
export type LoadGuardOptions = z.input<typeof LoadGuardOptionsSchema>;

/** What the model said, kept in `Verdict.raw`: the judged window's, when the input was windowed. */
export interface LocalGuardRaw {
  label: string;
  probabilities: Record<string, number>;
  logits: number[];
  /** Set when the input was split: which window decided (0-based) and each window's unsafeness. */
  windows?: { worst: number; unsafeness: number[] };
  /** Set when the input was cut: turns dropped (`'oldest-turns'`) or tokens left unjudged (`'keep-start'`). */
  truncated?: { droppedTurns: number; droppedTokens: number };
}

/** A safety classifier loaded in process. `close()` releases its session. */
export interface LocalGuard extends Guard, DeviceInfo {
  readonly labels: readonly string[];
  /** Longest input in tokens (one window). */
  readonly maxLength: number;
  /** How inputs over `maxLength` are handled. */
  readonly truncation: GuardTruncation;
  /** Model runs and sequences so far: `sequences / runs` is the average batch size (a windowed input adds all its windows to one run). */
  stats(): RunStats;
  /** Releases its onnxruntime session. */
  close(): Promise<void>;
}


// Labels of prompt-injection classifiers: Prompt Guard 1 (BENIGN, INJECTION, JAILBREAK), Prompt
// Guard 2 (BENIGN, MALICIOUS), and DeBERTa injection detectors (SAFE, INJECTION).
const INJECTION_SAFE_LABELS = new Set(['BENIGN', 'SAFE']);

/** The benign label when every other label is a prompt-injection one, else undefined. */
function injectionBenignLabel(labels: readonly string[]): string | undefined {
  const benign = labels.filter((l) => INJECTION_SAFE_LABELS.has(l.toUpperCase()));
  if (benign.length !== 1) return undefined;
  const others = labels.filter((l) => l !== benign[0]);
  return others.length > 0 && others.every((l) => Object.hasOwn(promptGuardCategories, l.toUpperCase())) ? benign[0] : undefined;
}

/**
 * Loads a safety classifier (sequence classification) as a Guard. A model with a chat template
 * reads the conversation so far through it; a plain-text model (no chat template: BERT, DeBERTa,
 * Prompt Guard) reads the last turn's text with its tokenizer's special tokens. Single-label
 * models (softmax) need a safe label; `problem_type: multi_label_classification` models use a
 * sigmoid per label. Concurrent checks share batched runs of one session. An input over
 * `maxLength` is windowed, cut or refused with a GuardInputError, as `truncation` says.
 *
 * @example
 * const guard = await loadGuard({ path: './models/prompt-guard-2-86m' }); // BENIGN / MALICIOUS: windows long inputs
 * const verdict = await guard.check([{ role: 'tool', tool_call_id: 'c1', content: pageText }]);
 * console.log(verdict.safe, verdict.categories); // false [{ category: 'prompt_injection', label: 'MALICIOUS', score: 0.99 }]
 */
export async function loadGuard(options: LoadGuardOptions): Promise<LocalGuard> {
  const opts = validate(LoadGuardOptionsSchema, options, 'loadGuard options');
  const model = await loadClassifier({ ...opts, truncation: undefined });
  try {
    return await asGuard(model, opts);
  } catch (error) {
    await model.close();
    throw error;
  }
}

type Options = z.output<typeof LoadGuardOptionsSchema>;
type Model = Awaited<ReturnType<typeof loadClassifier>>;

async function asGuard(model: Model, opts: Options): Promise<LocalGuard> {
  const { labels, tokenizer, maxLength } = model;
  const configFile = `${model.folder.path}/config.json`;
  const multiLabel = model.folder.config.problem_type === 'multi_label_classification';
  const injection = injectionBenignLabel(labels);
  const safeLabel = opts.safeLabel ?? injection ?? 'safe';
  const safeIndex = labels.indexOf(safeLabel);
  if (!multiLabel && safeIndex < 0) {
    throw new ModelLoadError(`${configFile}: id2label has no '${safeLabel}' label (labels: ${labels.join(', ')}); pass safeLabel`, { file: configFile });
  }
  const guard = `loadGuard(${model.folder.name})`;
  // No chat template: a plain-text classifier, framed as `tokenizer(text)` frames it.
  const frame = tokenizer.chatTemplate === undefined ? textFrame(tokenizerFiles(tokenizer).postProcessor, model.folder.path) : undefined;
  const framing = frame ? frame.prefix.length + frame.suffix.length : tokenizer.bosTokenId === undefined ? 0 : 1;
  const windowSize = maxLength - framing;
  if (windowSize < 1) throw new ValidationError('loadGuard options', [{ path: 'maxLength', message: `${maxLength} leaves no room for text beside the ${framing} special tokens` }]);
  if (opts.windowOverlap !== undefined && opts.windowOverlap >= windowSize) {
    throw new ValidationError('loadGuard options', [{ path: 'windowOverlap', message: `must be below the window's ${windowSize} text tokens (maxLength ${maxLength} less ${framing} special tokens)` }]);
  }
  const reader: GuardReader = {
    guard,
    tokenizer,
    maxLength,
    textFrame: frame,
    truncation: opts.truncation ?? (injection !== undefined ? 'window' : 'error'),
    windowOverlap: opts.windowOverlap ?? Math.min(64, Math.floor(windowSize / 4)),
    maxWindows: opts.maxWindows,
  };
  const category = (label: string): Category | null => {
    // Own keys only: a label such as 'constructor' must not pick up Object.prototype's property.
    if (Object.hasOwn(opts.categoryMap, label)) return opts.categoryMap[label] ?? null;
    const upper = label.toUpperCase();
    if (injection !== undefined && Object.hasOwn(promptGuardCategories, upper)) return promptGuardCategories[upper]!;
    const parsed = CategorySchema.safeParse(label.toLowerCase());
    return parsed.success ? parsed.data : 'other';
  };
  const judge = (row: Float32Array) => {
    const logits = Array.from(row);
    const probs = multiLabel ? logits.map((x) => 1 / (1 + Math.exp(-x))) : softmax(logits);
    const harms = labels
      .map((label, i) => ({ label, i, score: probs[i]!, category: category(label) }))
      .filter((h) => h.i !== safeIndex && h.category !== null)
      .sort((a, b) => b.score - a.score);
    const unsafeness = multiLabel ? (harms[0]?.score ?? 0) : 1 - probs[safeIndex]!;
    return { logits, probs, harms, unsafeness };
  };
  const toVerdict = (rows: Float32Array[], fitted: { droppedTurns: number; droppedTokens: number }): Verdict => {
    const judged = rows.map(judge);
    // The worst window decides (ties: the first).
    const worst = judged.reduce((w, j, i) => (j.unsafeness > judged[w]!.unsafeness ? i : w), 0);
    const { logits, probs, harms, unsafeness } = judged[worst]!;
    const top = probs.indexOf(Math.max(...probs));
    const raw: LocalGuardRaw = { label: labels[top]!, probabilities: Object.fromEntries(labels.map((l, i) => [l, probs[i]!])), logits };
    if (judged.length > 1) raw.windows = { worst, unsafeness: judged.map((j) => j.unsafeness) };
    if (fitted.droppedTurns > 0 || fitted.droppedTokens > 0) raw.truncated = { droppedTurns: fitted.droppedTurns, droppedTokens: fitted.droppedTokens };
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
    maxLength,
    truncation: reader.truncation,
    async check(conversation: Message[], callOptions?: CallOptions): Promise<Verdict> {
      const messages = validate(ConversationSchema, conversation, 'conversation');
      // A failure is a GuardError (too long, the model fails), never a verdict; aborts pass through.
      return guardCall(guard, async () => {
        const input = guardInput(reader, messages);
        return toVerdict(await model.classifyAll(input.sequences, callOptions?.signal), input);
      });
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
