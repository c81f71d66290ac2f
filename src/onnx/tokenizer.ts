// loadTokenizer: a model folder's tokenizer and chat template, exactly as transformers applies them.
import { join } from 'node:path';
import * as hf from '@huggingface/tokenizers';
import { ModelLoadError, ValidationError } from '../errors.js';
import type { Message } from '../types.js';
import { ChatTemplate, TemplateRaisedError } from './template/chat-template.js';
import { cutAtFinalMessage, markFinalMessage } from './template/continue-final.js';
import { plainCopy, templateArguments, validateMessages } from './template/template-arguments.js';
import { readModelJson } from './model-files.js';
import { type TokenLookup, specialTokenIds, templateTokens } from './template/special-tokens.js';
import { findChatTemplate } from './template-source.js';

/**
 * Options for {@link ChatTokenizer.render} and {@link ChatTokenizer.encodeChat}.
 *
 * @example
 * ```ts
 * tok.render(messages, { addGenerationPrompt: true, variables: { enable_thinking: false } });
 * ```
 */
export interface RenderOptions {
  /** Passed to the template as `add_generation_prompt` (it appends the assistant header). Default false. */
  addGenerationPrompt?: boolean;
  /**
   * Cut the text after the final message so the model continues it (a prefilled answer), as
   * transformers' `continue_final_message`. Not together with addGenerationPrompt. Default false.
   */
  continueFinalMessage?: boolean;
  /**
   * The tools offered to the model, as `apply_chat_template(tools=...)`: JSON schemas, usually
   * OpenAI's `{ type: 'function', function: { name, description, parameters } }` (a request's `tools`).
   * The template decides how they are written (Llama 3.1 and Qwen3 write them as JSON).
   */
  tools?: readonly object[] | null;
  /** Documents for retrieval-augmented templates, as `apply_chat_template(documents=...)`: `{ title, text }` objects. */
  documents?: readonly object[] | null;
  /** More keyword arguments of `apply_chat_template` (`enable_thinking`, `date_string`, `builtin_tools`...). */
  variables?: Record<string, unknown>;
}

/**
 * A model's tokenizer and chat template, with transformers' `apply_chat_template` semantics.
 *
 * @example
 * ```ts
 * const tok: ChatTokenizer = await loadTokenizer({ path: './models/tiny-chat' });
 * const prompt = tok.encodeChat([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true });
 * const stop = new Set(tok.eosTokenIds);
 * ```
 */
export interface ChatTokenizer {
  /**
   * The chat template rendered over `messages` with Python (transformers) semantics. Messages go
   * to the template as given: content strings or parts, assistant `tool_calls` (arguments a JSON
   * string, or an object), `tool` turns with `tool_call_id`, and any other keys they carry.
   */
  render(messages: Message[], options?: RenderOptions): string;
  /** Token ids of `text`, no special tokens added (special-token text in it still maps to its id). */
  encode(text: string): number[];
  /** `encode(render(messages, options))`: exactly `apply_chat_template(messages, tokenize=True)`. */
  encodeChat(messages: Message[], options?: RenderOptions): number[];
  /** Number of tokens of the rendered conversation (no generation prompt). */
  count(messages: Message[]): number;
  /** Text of `ids`; byte-level pieces are joined before decoding, so UTF-8 comes out whole. */
  decode(ids: number[], options?: { skipSpecialTokens?: boolean }): string;
  readonly bosTokenId: number | undefined;
  readonly eosTokenIds: number[];
  readonly padTokenId: number | undefined;
  readonly specialTokenIds: ReadonlySet<number>;
  /** The chat template source, undefined when the folder has none. */
  readonly chatTemplate: string | undefined;
}

/**
 * Options of {@link loadTokenizer}.
 *
 * @example
 * ```ts
 * await loadTokenizer({ path: './models/llama', chatTemplateName: 'tool_use', now: () => new Date(2024, 6, 26) });
 * ```
 */
export interface LoadTokenizerOptions {
  /** A Hugging Face model folder: tokenizer.json, tokenizer_config.json, optional chat_template.jinja, config.json. */
  path: string;
  /** Which named chat template to use when tokenizer_config.json holds several. Default 'default'. */
  chatTemplateName?: string;
  /** The clock behind the template's `strftime_now` (tests pin it). Default: the current time. */
  now?: () => Date;
}

/**
 * Loads the tokenizer and chat template of a Hugging Face model folder.
 *
 * @example
 * ```ts
 * const tok = await loadTokenizer({ path: './models/tiny-reward' });
 * const ids = tok.encodeChat([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }]);
 * if (tok.count(messages) > 4096) throw new Error('too long for the reward model');
 * ```
 */
export async function loadTokenizer(options: LoadTokenizerOptions): Promise<ChatTokenizer> {
  const [modelConfig, generationConfig] = await Promise.all([
    readModelJson(options.path, 'config.json', false),
    readModelJson(options.path, 'generation_config.json', false),
  ]);
  return openTokenizer(options, { modelConfig, generationConfig });
}

/** The folder's `config.json` and `generation_config.json`, as the model-folder reader read them. */
export interface TokenizerConfigs {
  modelConfig: Record<string, unknown> | undefined;
  generationConfig: Record<string, unknown> | undefined;
}

/** What a tokenizer's files say beyond the tokenizer itself, kept for the loaders (see tokenizerFiles). */
export interface TokenizerFileFacts {
  /** tokenizer.json's `post_processor` (how a plain text is framed with special tokens). */
  postProcessor: unknown;
  /** tokenizer_config.json's `model_max_length`, as written. */
  modelMaxLength: unknown;
}
// By tokenizer, so a loader asks for these instead of reading and parsing the files again (a real
// tokenizer.json is 10-30 MB). A WeakMap: no field on the public ChatTokenizer.
const fileFacts = new WeakMap<ChatTokenizer, TokenizerFileFacts>();

/** What {@link openTokenizer} read from the files of `tokenizer` (one it opened). Internal to rewardgate/onnx. */
export function tokenizerFiles(tokenizer: ChatTokenizer): TokenizerFileFacts {
  const facts = fileFacts.get(tokenizer);
  if (!facts) throw new Error('rewardgate internal error: a tokenizer not opened by openTokenizer');
  return facts;
}

/**
 * {@link loadTokenizer} with the model configs already read: the loaders pass what
 * `readModelFolder` read, so a load reads each config file once. Internal to rewardgate/onnx.
 */
export async function openTokenizer(options: LoadTokenizerOptions, { modelConfig, generationConfig }: TokenizerConfigs): Promise<ChatTokenizer> {
  const dir = options.path;
  const [tokenizerJson, config] = await Promise.all([readModelJson(dir, 'tokenizer.json', true), readModelJson(dir, 'tokenizer_config.json', true)]);
  const tokenizer = createTokenizer(tokenizerJson, config, dir);
  const found = await findChatTemplate(dir, config, options.chatTemplateName);
  let template: ChatTemplate | undefined;
  if (found) {
    try {
      template = new ChatTemplate(found.source, options.now ? { now: options.now } : {});
    } catch (error) {
      throw new ModelLoadError(`the chat template in ${found.file} does not parse: ${(error as Error).message}`, {
        file: found.file,
        cause: error,
      });
    }
  }

  const ids = specialTokenIds(tokenizer, { dir, config, modelConfig, generationConfig });
  const tokenVars = templateTokens(config, dir);

  const render = (messages: Message[], opts: RenderOptions = {}): string => {
    validateMessages(messages);
    const args = templateArguments(opts);
    if (!template || !found) {
      throw new ModelLoadError(`${dir} has no chat template (no chat_template.jinja, no chat_template in tokenizer_config.json)`, {
        file: join(dir, 'tokenizer_config.json'),
      });
    }
    if (opts.continueFinalMessage && opts.addGenerationPrompt) {
      throw new ValidationError('render options', [{ path: 'continueFinalMessage', message: 'cannot be combined with addGenerationPrompt' }]);
    }
    // Plain copies: keys set to undefined are absent, as in the JSON transformers gets.
    const chat = plainCopy(messages) as Record<string, unknown>[];
    const final = opts.continueFinalMessage ? markFinalMessage(chat, found.source) : undefined;
    // As transformers: special tokens, then keyword arguments, then messages, tools, documents.
    const context = { ...tokenVars, ...args.variables, messages: chat, tools: args.tools, documents: args.documents, add_generation_prompt: opts.addGenerationPrompt ?? false };
    try {
      const text = template.render(context);
      return final === undefined ? text : cutAtFinalMessage(text, final);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      if (error instanceof TemplateRaisedError) {
        throw new ValidationError('messages', [{ path: '', message: `the chat template refused them: ${error.message}` }], { cause: error });
      }
      throw new ModelLoadError(`the chat template in ${found.file} failed: ${(error as Error).message}`, { file: found.file, cause: error });
    }
  };
  const encode = (text: string): number[] => tokenizer.encode(text, { add_special_tokens: false }).ids;

  const chat: ChatTokenizer = {
    render,
    encode,
    encodeChat: (messages, opts) => encode(render(messages, opts)),
    count: (messages) => encode(render(messages)).length,
    decode: (ids, opts) => tokenizer.decode(ids, { skip_special_tokens: opts?.skipSpecialTokens ?? false }),
    ...ids,
    chatTemplate: found?.source,
  };
  fileFacts.set(chat, { postProcessor: tokenizerJson.post_processor, modelMaxLength: config.model_max_length });
  return chat;
}

// Typed view of @huggingface/tokenizers: its declarations use extensionless imports that
// NodeNext resolution cannot follow, so TypeScript sees `any`.
interface HfTokenizer extends TokenLookup {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
}
const Tokenizer = hf.Tokenizer as new (tokenizerJson: object, config: object) => HfTokenizer;

function createTokenizer(tokenizerJson: Record<string, unknown>, config: Record<string, unknown>, dir: string): HfTokenizer {
  const file = join(dir, 'tokenizer.json');
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) {
    throw new ModelLoadError('tokenizer.json has no "model" object: not a Hugging Face tokenizers file', { file });
  }
  try {
    return new Tokenizer(tokenizerJson, config);
  } catch (error) {
    throw new ModelLoadError(`tokenizer.json cannot be loaded: ${(error as Error).message}`, { file, cause: error });
  }
}
