// The config file's entries, each made from the options schema of the factory it builds: every
// option of the code is an option of the file under the same name, checked by the same rules.
// What a file cannot hold is left out in the `codeOnly` list of each entry.
import * as z from 'zod/mini';
import { ClientOptionsSchema } from '../client/client-options.js';
import { ContentSafetyReasoningOptionsSchema } from '../guards/content-safety-reasoning.js';
import { GuardModelOptionsSchema } from '../guards/guard-chat.js';
import { JailbreakDetectOptionsSchema } from '../guards/jailbreak-detect.js';
import { LlamaGuardOptionsSchema } from '../guards/llama-guard.js';
import { TopicControlOptionsSchema } from '../guards/topic-control.js';
import { BestOfNOptionsSchema } from '../middleware/best-of-n/best-of-n.js';
import { ExtractReasoningOptionsSchema } from '../middleware/extract-reasoning/extract-reasoning.js';
import { SafetyOptionsSchema } from '../middleware/safety/safety-rails.js';
import { ScoreThresholdOptionsSchema } from '../middleware/score-threshold/score-threshold.js';
import { SpeculativeBestOfNOptionsSchema } from '../middleware/speculative-best-of-n/speculative-best-of-n.js';
import { ToolPolicyOptionsSchema } from '../middleware/tool-policy/tool-policy.js';
import { LoadChatModelOptionsSchema, LoadGuardOptionsSchema, LoadScorerOptionsSchema } from '../onnx/options.js';
import { KServeScorerOptionsSchema } from '../scorers/kserve.js';
import { NimRewardOptionsSchema } from '../scorers/nim-reward.js';
import { configEntry, name, secret, secretHeaders } from './from-options.js';
import { withoutFunctions } from './schema-map.js';

// Keys held as secrets in a parsed config (never printed), revealed when the entry is built.
const credentials = { apiKey: z.optional(secret()) };
const remote = { ...credentials, headers: secretHeaders() };

/** Pipeline steps by name: a scorer or guard is named (an entry under `scorers` / `guards`). */
export const STEP_ENTRIES = {
  safety: configEntry(SafetyOptionsSchema, { codeOnly: [], replace: { guard: name() } }),
  toolPolicy: configEntry(ToolPolicyOptionsSchema, { codeOnly: ['check'] }),
  bestOfN: configEntry(BestOfNOptionsSchema, { codeOnly: [], replace: { scorer: name() } }),
  speculativeBestOfN: configEntry(SpeculativeBestOfNOptionsSchema, { codeOnly: [], replace: { scorer: name() } }),
  scoreThreshold: configEntry(ScoreThresholdOptionsSchema, {
    codeOnly: [],
    // `reference` and `feedback` may also be functions in code; a file gives their text.
    replace: {
      scorer: name(),
      /** The reference answer's text for `minMargin` (default: the refusal). */
      reference: withoutFunctions(ScoreThresholdOptionsSchema.shape.reference),
      /** The user turn appended when retrying. */
      feedback: withoutFunctions(ScoreThresholdOptionsSchema.shape.feedback),
    },
  }),
  extractReasoning: configEntry(ExtractReasoningOptionsSchema, { codeOnly: [] }),
};

/** The config names a step's fields hold, checked to exist at load time and looked up when built. */
export const STEP_REFS = {
  safety: { guard: 'guards' },
  toolPolicy: {},
  bestOfN: { scorer: 'scorers' },
  speculativeBestOfN: { scorer: 'scorers' },
  scoreThreshold: { scorer: 'scorers' },
  extractReasoning: {},
} as const satisfies Record<keyof typeof STEP_ENTRIES, Record<string, 'scorers' | 'guards'>>;

// An LLM-backed guard is reached by baseURL / apiKey: a `client` or `chat` is code.
const guardModel = { codeOnly: ['client', 'chat'] as const, replace: credentials };

/** Guard kinds by name. */
export const GUARD_ENTRIES = {
  nemoguard: configEntry(GuardModelOptionsSchema, guardModel),
  llamaGuard: configEntry(LlamaGuardOptionsSchema, guardModel),
  nemotronSafetyGuard: configEntry(GuardModelOptionsSchema, guardModel),
  topicControl: configEntry(TopicControlOptionsSchema, guardModel),
  contentSafetyReasoning: configEntry(ContentSafetyReasoningOptionsSchema, guardModel),
  jailbreakDetect: configEntry(JailbreakDetectOptionsSchema, { codeOnly: ['fetch'], replace: remote }),
  onnx: configEntry(LoadGuardOptionsSchema, { codeOnly: [] }),
};

/** Scorer kinds by name. */
export const SCORER_ENTRIES = {
  nim: configEntry(NimRewardOptionsSchema, { codeOnly: ['client', 'tokenizer'], replace: credentials }),
  onnx: configEntry(LoadScorerOptionsSchema, { codeOnly: [] }),
  // The tokenizer is the model folder's (`loadTokenizer`), given by its path.
  kserve: configEntry(KServeScorerOptionsSchema, { codeOnly: ['fetch'], replace: { ...remote, tokenizer: z.string().check(z.minLength(1)) } }),
};

/** The upstream: a client of an OpenAI-compatible server, or a local chat model. */
export const UPSTREAM_ENTRIES = {
  client: configEntry(ClientOptionsSchema, { codeOnly: ['fetch'], replace: remote }),
  onnx: configEntry(LoadChatModelOptionsSchema, { codeOnly: [] }),
};
