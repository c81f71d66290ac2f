import { ModelLoadError } from '../errors.js';
import type { Message } from '../types.js';
import { openClassifier, type ClassifierSession } from './classifier-session.js';
import { fitConversation, type Truncation } from './conversation-fit.js';
import type { Device } from './devices.js';
import { MicroBatcher } from './micro-batcher.js';
import type { Dtype } from './options.js';
import { firstId, labelsOf, readModelFolder, type ModelFolder } from './model-folder.js';
import { loadTokenizer, type ChatTokenizer } from './tokenizer.js';

/** Options shared by the local scorer and guard. */
export interface ClassifierOptions {
  path: string;
  device: Device;
  maxLength?: number | undefined;
  batchSize: number;
  maxWaitMs: number;
  truncation: Truncation;
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
  close(): Promise<void>;
}

/** Loads folder, tokenizer and session; one session per model, reused by every call. */
export async function loadClassifier(options: ClassifierOptions): Promise<ClassifierModel> {
  const folder = await readModelFolder(options.path, { dtype: options.dtype, modelFile: options.modelFile });
  const configFile = `${folder.path}/config.json`;
  const labels = labelsOf(folder.config, configFile);
  const tokenizer = await loadTokenizer({ path: folder.path });
  // The export pools the last token that is not config's pad id: pad with exactly that id.
  const padId = firstId(folder.config.pad_token_id) ?? tokenizer.padTokenId ?? undefined;
  if (padId === undefined) throw new ModelLoadError(`${configFile} has no pad_token_id and the tokenizer has no pad token`, { file: configFile });
  const maxLength = options.maxLength ?? folder.config.max_position_embeddings ?? 4096;
  const session = await openClassifier(folder, options.device, labels.length, padId, tokenizer.bosTokenId ?? padId + 1);
  const batcher = new MicroBatcher<number[], Float32Array>({
    batchSize: options.batchSize,
    maxWaitMs: options.maxWaitMs,
    size: (ids) => ids.length,
    run: (batch) => session.run(batch),
  });
  return {
    folder,
    tokenizer,
    session,
    labels,
    maxLength,
    fit: (messages, path) => fitConversation(tokenizer, messages, maxLength, options.truncation, path).ids,
    classify: (ids, signal) => batcher.submit(ids, signal),
    async close() {
      // Let a run in progress finish before its session is released.
      await batcher.close();
      await session.close();
    },
  };
}
