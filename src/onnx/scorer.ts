import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type Message, type Score, type Tool } from '../types.js';
import { loadClassifier } from './classifier-model.js';
import type { RunStats } from './classifier-session.js';
import type { DeviceInfo } from './devices.js';
import { LoadScorerOptionsSchema } from './options.js';
import type { ChatTokenizer } from './tokenizer.js';

/**
 * Options of {@link loadScorer}.
 *
 * @example
 * const options: LoadScorerOptions = { path: './models/tiny-reward', device: 'cpu', truncation: 'oldest-turns' };
 * @interface
 */
export type LoadScorerOptions = z.input<typeof LoadScorerOptionsSchema>;

/** A reward model loaded in process. `close()` releases its session. */
export interface LocalScorer extends Scorer, DeviceInfo {
  /** Label names from config.json `id2label`. */
  readonly labels: readonly string[];
  readonly maxLength: number;
  readonly tokenizer: ChatTokenizer;
  /** Model runs and sequences so far: `sequences / runs` is the average batch size. */
  stats(): RunStats;
  /** Releases the session (after a run in progress ends). */
  /** Releases its onnxruntime session. */
  close(): Promise<void>;
}

const ConversationsSchema = z.array(ConversationSchema);

/**
 * Loads a reward model (sequence classification) from a model folder. One label: its logit is
 * the score; several: `attributes` by label, `value` from `weights`. Concurrent `score` calls
 * share batched runs of one session.
 *
 * @example
 * const scorer = await loadScorer({ path: './models/tiny-reward', device: 'auto' });
 * const [s] = await scorer.score([[{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }]]);
 * console.log(s.value, scorer.device);
 * await scorer.close();
 */
export async function loadScorer(options: LoadScorerOptions): Promise<LocalScorer> {
  const opts = validate(LoadScorerOptionsSchema, options, 'loadScorer options');
  const model = await loadClassifier(opts);
  const { labels } = model;
  const unknown = Object.keys(opts.weights ?? {}).filter((k) => !labels.includes(k));
  if (unknown.length > 0) {
    await model.close();
    throw new ValidationError('loadScorer options', unknown.map((k) => ({ path: `weights.${k}`, message: `no such label (labels: ${labels.join(', ')})` })));
  }
  const toScore = (row: Float32Array): Score => {
    if (labels.length === 1) return { value: row[0]! };
    const attributes = Object.fromEntries(labels.map((l, i) => [l, row[i]!]));
    // Own keys only: a label such as 'toString' must not weigh Object.prototype's function (NaN).
    const weight = (l: string) => (opts.weights ? (Object.hasOwn(opts.weights, l) ? opts.weights[l]! : 0) : 1);
    const value = labels.reduce((sum, l, i) => sum + weight(l) * row[i]!, 0);
    return { value, attributes };
  };
  const { session } = model;
  return {
    device: session.device,
    provider: session.provider,
    skipped: session.skipped,
    stats: () => session.stats(),
    labels,
    maxLength: model.maxLength,
    tokenizer: model.tokenizer,
    async score(conversations: Message[][], callOptions?: CallOptions & { tools?: readonly Tool[] }): Promise<Score[]> {
      const valid = validate(ConversationsSchema, conversations, 'conversations');
      // The request's tools (the pipeline passes them) go to the chat template, as `apply_chat_template(tools=...)`.
      const tools = callOptions?.tools?.length ? callOptions.tools : undefined;
      // Check and encode every conversation before queueing any, so a bad one fails only this call.
      const sequences = valid.map((messages, i) => {
        if (messages[messages.length - 1]!.role !== 'assistant') {
          throw new ValidationError('conversations', [{ path: `[${i}]`, message: 'the last turn must be the assistant answer being scored' }]);
        }
        if (!tools) return model.fit(messages, `[${i}]`);
        const ids = model.tokenizer.encodeChat(messages, { tools });
        if (ids.length > model.maxLength) throw new ValidationError('conversations', [{ path: `[${i}]`, message: `is ${ids.length} tokens with the tools rendered, over maxLength ${model.maxLength}` }], { code: 'context_length_exceeded' });
        return ids;
      });
      const rows = await Promise.all(sequences.map((ids) => model.classify(ids, callOptions?.signal)));
      return rows.map(toScore);
    },
    close: () => model.close(),
  };
}
