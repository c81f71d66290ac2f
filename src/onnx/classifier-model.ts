import { ModelLoadError } from '../errors.js';
import type { Message } from '../types.js';
import { openClassifier, type ClassifierSession } from './classifier-session.js';
import { fitConversation, type Truncation } from './conversation-fit.js';
import type { Device } from './devices.js';
import { MicroBatcher } from './micro-batcher.js';
import type { Dtype } from './options.js';
import { firstId, labelsOf, readModelFolder, type ModelFolder } from './model-folder.js';
import { openTokenizer, tokenizerFiles, type ChatTokenizer } from './tokenizer.js';

/** Options shared by the local scorer and guard. */
export interface ClassifierOptions {
  path: string;
  device: Device;
  maxLength?: number | undefined;
  batchSize: number;
  maxWaitMs: number;
  /** The scorer's fitting of long conversations (`fit`); guards fit their input themselves. Default `'error'`. */
  truncation?: Truncation | undefined;
  dtype?: Dtype | undefined;
  modelFile?: string | undefined;
}

/** A loaded sequence classifier behind a micro-batcher. */
export interface ClassifierModel {
  folder: ModelFolder;
  tokenizer: ChatTokenizer;
  session: ClassifierSession;
  labels: string[];
  maxLength: number;
  /** Token ids of one conversation, fitted to `maxLength` (throws a ValidationError naming `path`). */
  fit(messages: Message[], path: string): number[];
  /** Logits for one sequence, batched with concurrent callers. */
  classify(ids: number[], signal: AbortSignal | undefined): Promise<Float32Array>;
  /** Logits for several sequences (the windows of one input), all in the same run, batched with concurrent callers. */
  classifyAll(sequences: number[][], signal: AbortSignal | undefined): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** Loads folder, tokenizer and session; one session per model, reused by every call. */
export async function loadClassifier(options: ClassifierOptions): Promise<ClassifierModel> {
  const folder = await readModelFolder(options.path, { dtype: options.dtype, modelFile: options.modelFile });
  const configFile = `${folder.path}/config.json`;
  const labels = labelsOf(folder.config, configFile);
  // config.json and generation_config.json were read with the folder: the tokenizer takes them from there.
  const tokenizer = await openTokenizer({ path: folder.path }, { modelConfig: folder.config, generationConfig: folder.generationConfig });
  // The export pools the last token that is not config's pad id: pad with exactly that id.
  const padId = firstId(folder.config.pad_token_id) ?? tokenizer.padTokenId ?? undefined;
  if (padId === undefined) throw new ModelLoadError(`${configFile} has no pad_token_id and the tokenizer has no pad token`, { file: configFile });
  const maxLength = options.maxLength ?? defaultMaxLength(folder, tokenizerFiles(tokenizer).modelMaxLength);
  const session = await openClassifier(folder, options.device, labels.length, padId, tokenizer.bosTokenId ?? padId + 1);
  // One queued item is a group of sequences (the windows of one input), so a group always shares
  // a run; `batchSize` counts groups.
  const batcher = new MicroBatcher<number[][], Float32Array[]>({
    batchSize: options.batchSize,
    maxWaitMs: options.maxWaitMs,
    size: (group) => group.reduce((n, ids) => Math.max(n, ids.length), 0),
    run: async (groups) => {
      const rows = await session.run(groups.flat());
      let at = 0;
      return groups.map((g) => rows.slice(at, (at += g.length)));
    },
  });
  return {
    folder,
    tokenizer,
    session,
    labels,
    maxLength,
    fit: (messages, path) => fitConversation(tokenizer, messages, maxLength, options.truncation ?? 'error', path).ids,
    classify: async (ids, signal) => (await batcher.submit([ids], signal))[0]!,
    classifyAll: (sequences, signal) => batcher.submit(sequences, signal),
    async close() {
      // Let a run in progress finish before its session is released.
      await batcher.close();
      await session.close();
    },
  };
}

/**
 * `max_position_embeddings`, or the tokenizer's `model_max_length` when smaller, as transformers
 * truncates: RoBERTa-style models declare 514 positions but take 512 tokens.
 */
function defaultMaxLength(folder: ModelFolder, declared: unknown): number {
  const positions = folder.config.max_position_embeddings ?? 4096;
  // transformers writes a huge sentinel (1e30) when the tokenizer has no limit.
  return typeof declared === 'number' && Number.isInteger(declared) && declared > 0 && declared < positions ? declared : positions;
}
