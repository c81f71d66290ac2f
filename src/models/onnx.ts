import { randomUUID } from 'node:crypto';
import type * as z from 'zod/mini';
import { RewardgateError, UserAbortError, ValidationError } from '../errors.js';
import type { CallOptions, ChatModel, StreamEvent } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ChatRequestSchema, type ChatRequest } from '../types.js';
import { BatchedDecoder } from '../onnx/batched-decoder.js';
import { openCausalLM, type DecodeStats } from '../onnx/causal-lm-session.js';
import type { DeviceInfo } from '../onnx/devices.js';
import { EventQueue } from '../onnx/event-queue.js';
import { generationPromptSuffix } from '../onnx/generation-prompt.js';
import { GenerationRow, type LocalCompletion } from '../onnx/generation-row.js';
import { configSampling, generationSettings } from '../onnx/generation-settings.js';
import { firstId, readModelFolder } from '../onnx/model-folder.js';
import { LoadChatModelOptionsSchema } from '../onnx/options.js';
import { ToolCallSplitter } from '../onnx/tool-call-parser.js';
import { openTokenizer, type ChatTokenizer } from '../onnx/tokenizer.js';
import { omitUndefined } from '../internal/omit-undefined.js';

export type { LocalCompletion } from '../onnx/generation-row.js';

/**
 * Options of {@link loadChatModel}.
 *
 * @example
 * const options: LoadChatModelOptions = { path: './models/tiny-chat', device: 'cpu', batchSize: 8 };
 * @interface
 */
export type LoadChatModelOptions = z.input<typeof LoadChatModelOptionsSchema>;

/** A chat model running in process. `close()` releases its session. */
export interface LocalChatModel extends ChatModel<LocalCompletion>, DeviceInfo {
  readonly tokenizer: ChatTokenizer;
  /** Longest prompt plus completion, in tokens. */
  readonly maxLength: number;
  /** Whether the export has a KV cache (each step feeds one token) or re-runs the sequence. */
  readonly cached: boolean;
  /** Model runs so far, and sequences summed over them: batching makes runs fewer than sequence steps. */
  stats(): DecodeStats;
  /** Releases its onnxruntime session. */
  close(): Promise<void>;
}


/**
 * Loads a causal LM for local generation: Optimum / transformers.js exports with a KV cache
 * (float32 or float16) and plain exports without one. temperature, top_p, seed, max_tokens, stop
 * strings, and in `extra` top_k, repetition_penalty and min_new_tokens; streaming token by token;
 * `tools` rendered by the chat template and `<tool_call>` blocks returned as `toolCalls`.
 * Concurrent calls are decoded together, one batched step per token; a stream whose reader stops
 * reading sits out the steps (a couple of events ahead at most) until read again. One completion per call
 * (`n` is ignored; best-of-n makes n calls, which share steps).
 *
 * @example
 * const chat = await loadChatModel({ path: './models/tiny-agent' });
 * const c = await chat.generate({ messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, temperature: 0 });
 * c.toolCalls?.[0]?.function; // { name: 'get_weather', arguments: '{"city": "Paris"}' }
 * for await (const e of chat.stream({ messages: [{ role: 'user', content: 'Hi' }] })) if (e.type === 'text-delta') process.stdout.write(e.text);
 */
export async function loadChatModel(options: LoadChatModelOptions): Promise<LocalChatModel> {
  const opts = validate(LoadChatModelOptionsSchema, options, 'loadChatModel options');
  const folder = await readModelFolder(opts.path, { modelFile: opts.modelFile, dtype: opts.dtype });
  const tokenizer = await openTokenizer({ path: folder.path }, { modelConfig: folder.config, generationConfig: folder.generationConfig });
  const gen = folder.generationConfig;
  const sampling = configSampling(folder);
  const eos = new Set([...tokenizer.eosTokenIds, ...[gen?.eos_token_id, folder.config.eos_token_id].flat().filter((x): x is number => typeof x === 'number')]);
  const padId = tokenizer.padTokenId ?? firstId(gen?.pad_token_id) ?? firstId(folder.config.pad_token_id) ?? 0;
  const suffix = opts.generationPrompt ?? generationPromptSuffix(tokenizer);
  const maxLength = folder.config.max_position_embeddings ?? 4096;
  const lm = await openCausalLM(folder, opts.device, omitUndefined({ padId, tuning: opts.session }));
  const decoder = new BatchedDecoder(lm, opts.batchSize);
  const decode = (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  let closed = false;

  async function* run(request: ChatRequest, callOptions: CallOptions | undefined, streaming: boolean): AsyncGenerator<StreamEvent<LocalCompletion>> {
    const req = validate(ChatRequestSchema, request, 'request');
    const signal = callOptions?.signal;
    if (signal?.aborted) throw new UserAbortError(signal.reason);
    if (closed) throw new RewardgateError('The model was closed');
    const settings = generationSettings(req, folder, sampling);
    const tools = req.tools && req.tools.length > 0 ? req.tools : undefined;
    const text = tokenizer.render(req.messages, omitUndefined({ addGenerationPrompt: true, variables: tools ? { tools } : undefined }));
    const prompt = tokenizer.encode(text + suffix);
    if (prompt.length >= maxLength) {
      throw new ValidationError('request', [{ path: 'messages', message: `the prompt is ${prompt.length} tokens; ${folder.name} takes at most ${maxLength - 1} before generating` }]);
    }
    // Each read lets a row paused on unread events (backpressure) decode on.
    const queue = new EventQueue<StreamEvent<LocalCompletion>>(() => decoder.wake());
    const row = new GenerationRow({
      prompt,
      settings,
      budget: Math.min(settings.maxNewTokens, maxLength - prompt.length),
      eos,
      decode,
      // tool_choice 'none': the model was told not to call; anything it writes stays text.
      splitter: tools && req.tool_choice !== 'none' ? new ToolCallSplitter(() => `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`) : undefined,
      incremental: streaming || settings.stops.length > 0,
      queue,
      finish: (parts) => ({ id: `onnx-${randomUUID()}`, model: req.model ?? folder.name, ...parts }),
    });
    // An abort frees the row at once, also while its reader is not reading (a paused stream).
    const onAbort = () => {
      row.cancel();
      decoder.wake();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    decoder.add(row);
    try {
      for (;;) {
        const event = await queue.next(signal);
        if (event === undefined) return;
        yield event;
      }
    } finally {
      // Abort, a broken-off stream, or the end: the row leaves the batch at the next step (a
      // parked row at once).
      signal?.removeEventListener('abort', onAbort);
      onAbort();
    }
  }

  return {
    device: lm.device,
    provider: lm.provider,
    skipped: lm.skipped,
    tokenizer,
    maxLength,
    cached: lm.cached,
    stats: () => lm.stats(),
    stream: (request, callOptions) => run(request, callOptions, true),
    async generate(request, callOptions) {
      for await (const event of run(request, callOptions, false)) if (event.type === 'finish') return event.completion;
      throw new Error('unreachable: a generation always ends with a finish event');
    },
    async close() {
      closed = true;
      await decoder.close();
      await lm.close();
    },
  };
}
