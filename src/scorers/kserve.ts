import * as z from 'zod/mini';
import { ResponseError, ValidationError } from '../errors.js';
import { DEFAULT_TIMEOUTS, TimeoutsSchema } from '../http/timeouts.js';
import { Transport } from '../http/transport.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type Message, type Score } from '../types.js';
import { kserveOutputRows, type KServeInferRequest } from './kserve-wire.js';

/** What the KServe scorer needs from a tokenizer: `loadTokenizer` from `rewardgate/onnx` fits. */
export interface KServeTokenizer {
  /** The conversation's token ids, rendered with the model's chat template. */
  encodeChat(messages: Message[], options?: { addGenerationPrompt?: boolean }): number[];
  readonly padTokenId?: number | null | undefined;
}

/** The options of {@link createKServeScorer}; the config file's `kserve` scorers are made from it. */
export const KServeScorerOptionsSchema = z.strictObject({
  /** The server root, e.g. `http://triton:8000` (requests go to `/v2/models/{model}/infer`). */
  baseURL: z.url(),
  /** The model's name in the Triton / KServe model repository. */
  model: z.string().check(z.minLength(1)),
  /** A model version; default: the server's choice. */
  version: z.optional(z.string().check(z.minLength(1))),
  /** The model folder's tokenizer (`await loadTokenizer({ path })` from `rewardgate/onnx`). */
  tokenizer: z.custom<KServeTokenizer>((t) => typeof (t as KServeTokenizer | undefined)?.encodeChat === 'function', 'needs encodeChat (use loadTokenizer)'),
  /** Pad id for right padding; default the tokenizer's, else 0. Must equal config.json `pad_token_id`. */
  padTokenId: z.optional(z.int().check(z.nonnegative())),
  /** Label names in index order (config.json `id2label`); default one label. */
  labels: z.optional(z.array(z.string()).check(z.minLength(1))),
  /** Several labels: `value` = sum of `weights[label] * attribute`; no weights: every label weighs 1. */
  weights: z.optional(z.record(z.string(), z.number())),
  /** The input tensor of token ids; default `input_ids`. */
  inputIds: z._default(z.string().check(z.minLength(1)), 'input_ids'),
  /** The attention mask tensor; default `attention_mask`, null: the model takes no mask. */
  attentionMask: z._default(z.nullable(z.string().check(z.minLength(1))), 'attention_mask'),
  /** The output tensor; default `logits`. */
  output: z._default(z.string().check(z.minLength(1)), 'logits'),
  /** Integer type of the id tensors in the model's config; default `INT64`. */
  datatype: z._default(z.enum(['INT64', 'INT32']), 'INT64'),
  /** Most conversations per request (the model's max_batch_size); default 64. */
  batchSize: z._default(z.int().check(z.positive()), 64),
  /** Longest conversation in tokens; longer ones are rejected. Default 4096. */
  maxLength: z._default(z.int().check(z.positive()), 4096),
  /** Sent as `Authorization: Bearer`. */
  apiKey: z.optional(z.string()),
  /** Extra headers sent with every request. */
  headers: z._default(z.record(z.string(), z.string()), {}),
  /** Retries on 408 / 409 / 429 / 5xx and connection errors; default 2. */
  maxRetries: z._default(z.int().check(z.nonnegative()), 2),
  /** Deadlines in ms: headersMs, firstChunkMs, idleMs, totalMs. */
  timeouts: z._default(z.strictObject(TimeoutsSchema.shape), {}),
  /** The fetch to use (default: the global one). */
  fetch: z.optional(z.custom<typeof globalThis.fetch>((f) => typeof f === 'function', 'expected a fetch function')),
}).check(
  z.superRefine((o, ctx) => {
    const labels = o.labels ?? ['score'];
    for (const k of Object.keys(o.weights ?? {})) if (!labels.includes(k)) ctx.addIssue({ code: 'custom', path: ['weights', k], message: 'no such label', input: o.weights });
  }),
);

/**
 * Options of {@link createKServeScorer}.
 *
 * @example
 * const options: KServeScorerOptions = { baseURL: 'http://triton:8000', model: 'tiny-reward', tokenizer };
 * @interface
 */
export type KServeScorerOptions = z.input<typeof KServeScorerOptionsSchema>;

/**
 * A Scorer for a reward model served by NVIDIA Triton (onnxruntime backend) or any KServe v2
 * server: conversations are tokenized here with the model folder's tokenizer and sent as
 * right-padded `input_ids` / `attention_mask` tensors; the logits come back per row.
 *
 * @example
 * import { loadTokenizer } from 'rewardgate/onnx';
 * const scorer = createKServeScorer({
 *   baseURL: 'http://triton:8000', model: 'tiny-reward',
 *   tokenizer: await loadTokenizer({ path: './models/tiny-reward' }),
 * });
 * const [score] = await scorer.score([[{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }]]);
 */
export function createKServeScorer(options: KServeScorerOptions): Scorer {
  const opts = validate(KServeScorerOptionsSchema, options, 'KServe scorer options');
  const labels = opts.labels ?? ['score'];
  const padId = opts.padTokenId ?? opts.tokenizer.padTokenId ?? 0;
  const transport = new Transport({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey,
    headers: opts.headers,
    maxRetries: opts.maxRetries,
    timeouts: { ...DEFAULT_TIMEOUTS, ...definedOnly(opts.timeouts) },
    fetch: opts.fetch,
  });
  const path = `v2/models/${encodeURIComponent(opts.model)}${opts.version ? `/versions/${encodeURIComponent(opts.version)}` : ''}/infer`;
  const toScore = (row: number[]): Score => {
    if (labels.length === 1) return { value: row[0]! };
    const attributes = Object.fromEntries(labels.map((l, i) => [l, row[i]!]));
    return { value: labels.reduce((sum, l, i) => sum + (opts.weights ? (opts.weights[l] ?? 0) : 1) * row[i]!, 0), attributes };
  };

  async function infer(sequences: number[][], signal: AbortSignal | undefined): Promise<number[][]> {
    const width = Math.max(...sequences.map((s) => s.length));
    const shape = [sequences.length, width];
    const ids = sequences.flatMap((s) => [...s, ...Array<number>(width - s.length).fill(padId)]);
    const request: KServeInferRequest = {
      inputs: [{ name: opts.inputIds, shape, datatype: opts.datatype, data: ids }],
      outputs: [{ name: opts.output }],
    };
    if (opts.attentionMask !== null) {
      const mask = sequences.flatMap((s) => [...Array<number>(s.length).fill(1), ...Array<number>(width - s.length).fill(0)]);
      request.inputs.push({ name: opts.attentionMask, shape, datatype: opts.datatype, data: mask });
    }
    const { body } = await transport.json({ method: 'post', path, body: request, signal });
    const rows = kserveOutputRows(body, opts.output, sequences.length, labels.length);
    if (typeof rows === 'string') throw new ResponseError('unexpected-shape', `KServe answer from ${opts.baseURL}/${path}: ${rows}`);
    return rows;
  }

  return {
    async score(conversations: Message[][], callOptions?: CallOptions): Promise<Score[]> {
      const valid = validate(z.array(ConversationSchema), conversations, 'conversations');
      const sequences = valid.map((messages, i) => {
        if (messages[messages.length - 1]!.role !== 'assistant') {
          throw new ValidationError('conversations', [{ path: `[${i}]`, message: 'the last turn must be the assistant answer being scored' }]);
        }
        const ids = opts.tokenizer.encodeChat(messages, { addGenerationPrompt: false });
        if (ids.length > opts.maxLength) {
          throw new ValidationError('conversations', [{ path: `[${i}]`, message: `is ${ids.length} tokens, over maxLength ${opts.maxLength}` }], { code: 'context_length_exceeded' });
        }
        return ids;
      });
      const scores: Score[] = [];
      for (let i = 0; i < sequences.length; i += opts.batchSize) {
        const rows = await infer(sequences.slice(i, i + opts.batchSize), callOptions?.signal);
        scores.push(...rows.map(toScore));
      }
      return scores;
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
