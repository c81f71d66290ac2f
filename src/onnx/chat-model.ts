import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UserAbortError, ValidationError } from '../errors.js';
import type { CallOptions, ChatModel, StreamEvent } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ChatRequestSchema, type ChatRequest, type Completion, type FinishReason } from '../types.js';
import { openCausalLM } from './causal-lm-session.js';
import type { Device, DeviceInfo } from './devices.js';
import { generationPromptSuffix } from './generation-prompt.js';
import { readModelFolder } from './model-folder.js';
import { DeviceSchema } from './options.js';
import { sampleToken, seededRandom } from './sampling.js';
import { TextStreamer } from './text-streamer.js';
import { loadTokenizer, type ChatTokenizer } from './tokenizer.js';

/** Options of {@link loadChatModel}. */
export interface LoadChatModelOptions {
  /** A Hugging Face causal-LM folder (model.onnx exported without a KV cache, tokenizer, chat template). */
  path: string;
  /** Default `'auto'`: CUDA, then WebGPU, then CPU. */
  device?: Device;
  /**
   * Text appended to the rendered template when it has no `add_generation_prompt` branch.
   * Default: `'<|assistant|>\n'` when the tokenizer has that token, else nothing.
   */
  generationPrompt?: string;
}

/** A completion of a local model, with the generated token ids (an ending eos included). */
export interface LocalCompletion extends Completion {
  tokenIds: number[];
}

/** A chat model running in process. `close()` releases its session. */
export interface LocalChatModel extends ChatModel<LocalCompletion>, DeviceInfo {
  readonly tokenizer: ChatTokenizer;
  /** Longest prompt plus completion, in tokens. */
  readonly maxLength: number;
  close(): Promise<void>;
}

const OptionsSchema = z.object({ path: z.string().min(1), device: DeviceSchema.default('auto'), generationPrompt: z.string().optional() });

/**
 * Loads a causal LM for local generation: temperature, top_p, seed, max_tokens, stop strings,
 * streaming token by token; stops at an end-of-sequence token. One completion per call (`n` is ignored).
 *
 * @example
 * const chat = await loadChatModel({ path: './models/tiny-chat' });
 * const c = await chat.generate({ messages: [{ role: 'user', content: 'How do I bake bread?' }], temperature: 0 });
 * for await (const e of chat.stream({ messages: [{ role: 'user', content: 'Hi' }] })) if (e.type === 'text-delta') process.stdout.write(e.text);
 */
export async function loadChatModel(options: LoadChatModelOptions): Promise<LocalChatModel> {
  const opts = validate(OptionsSchema, options, 'loadChatModel options');
  const folder = await readModelFolder(opts.path);
  const tokenizer = await loadTokenizer({ path: folder.path });
  const gen = folder.generationConfig;
  const eos = new Set([...tokenizer.eosTokenIds, ...[gen?.eos_token_id, folder.config.eos_token_id].flat().filter((x): x is number => typeof x === 'number')]);
  const suffix = opts.generationPrompt ?? generationPromptSuffix(tokenizer);
  const maxLength = folder.config.max_position_embeddings ?? 4096;
  const lm = await openCausalLM(folder, opts.device);
  const decode = (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });

  async function* run(request: ChatRequest, callOptions?: CallOptions): AsyncGenerator<StreamEvent<LocalCompletion>> {
    const req = validate(ChatRequestSchema, request, 'request');
    const signal = callOptions?.signal;
    const prompt = tokenizer.encode(tokenizer.render(req.messages, { addGenerationPrompt: true }) + suffix);
    if (prompt.length >= maxLength) {
      throw new ValidationError('request', [{ path: 'messages', message: `the prompt is ${prompt.length} tokens; ${folder.name} takes at most ${maxLength - 1} before generating` }]);
    }
    const budget = Math.min(req.max_tokens ?? gen?.max_new_tokens ?? 256, maxLength - prompt.length);
    const temperature = req.temperature ?? gen?.temperature ?? 1;
    const topP = req.top_p ?? gen?.top_p ?? 1;
    const random = seededRandom(req.seed ?? Math.floor(Math.random() * 2 ** 32));
    const streamer = new TextStreamer(decode, typeof req.stop === 'string' ? [req.stop] : (req.stop ?? []));
    const ids = [...prompt];
    const generated: number[] = [];
    let finishReason: FinishReason = 'length';
    while (generated.length < budget) {
      if (signal?.aborted) throw new UserAbortError(signal.reason);
      const logits = await lm.nextLogits(ids);
      if (signal?.aborted) throw new UserAbortError(signal.reason);
      const token = sampleToken(logits, temperature, topP, random);
      ids.push(token);
      generated.push(token);
      if (eos.has(token)) {
        finishReason = 'stop';
        break;
      }
      const delta = streamer.push(generated);
      if (delta) yield { type: 'text-delta', text: delta };
      if (streamer.stopped) {
        finishReason = 'stop';
        break;
      }
    }
    const rest = streamer.flush();
    if (rest) yield { type: 'text-delta', text: rest };
    const completion: LocalCompletion = {
      id: `onnx-${randomUUID()}`,
      model: req.model ?? folder.name,
      text: streamer.text,
      finishReason,
      usage: { promptTokens: prompt.length, completionTokens: generated.length, totalTokens: prompt.length + generated.length },
      tokenIds: generated,
    };
    yield { type: 'finish', completion };
  }

  return {
    device: lm.device,
    provider: lm.provider,
    skipped: lm.skipped,
    tokenizer,
    maxLength,
    stream: (request, callOptions) => run(request, callOptions),
    async generate(request, callOptions) {
      for await (const event of run(request, callOptions)) if (event.type === 'finish') return event.completion;
      throw new Error('unreachable: a generation always ends with a finish event');
    },
    close: () => lm.close(),
  };
}
