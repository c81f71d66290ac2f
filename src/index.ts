// rewardgate: the public surface of the core entry. Explicit named exports only.

// ── types and schemas ─────────────────────────────────────────────────────────────
export {
  MessageSchema,
  ConversationSchema,
  ContentSchema,
  ContentPartSchema,
  TextPartSchema,
  ImagePartSchema,
  AudioPartSchema,
  FilePartSchema,
  ToolCallSchema,
  ToolSchema,
  ToolChoiceSchema,
  ResponseFormatSchema,
  TokenLogprobSchema,
  LogprobsSchema,
  ChatRequestSchema,
  UsageSchema,
  FinishReasonSchema,
  CompletionSchema,
  ScoreSchema,
  CategoryHitSchema,
  VerdictSchema,
} from './types.js';
export type {
  Message,
  Content,
  ContentPart,
  TextPart,
  ImagePart,
  AudioPart,
  FilePart,
  OtherPart,
  ToolCall,
  Tool,
  ToolChoice,
  TokenLogprob,
  Logprobs,
  ChatRequest,
  Usage,
  FinishReason,
  Completion,
  Score,
  CategoryHit,
  Verdict,
} from './types.js';
export { messageText, turnText, toolCallText, answerTurn, withAnswer } from './content.js';
export type { TurnTextOptions } from './content.js';
export { CategorySchema } from './guards/taxonomy.js';
export type { Category } from './guards/taxonomy.js';
export type { CallOptions, ChatModel, Scorer, Guard, StreamEvent, TextDeltaEvent, ReasoningDeltaEvent, ToolCallDeltaEvent, ToolCallEvent, FinishEvent } from './interfaces.js';

// ── errors ────────────────────────────────────────────────────────────────────────
export {
  RewardgateError,
  ValidationError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  TimeoutError,
  UserAbortError,
  StreamError,
  ModelLoadError,
  GuardrailError,
} from './errors.js';
export type { TimeoutPhase, StreamErrorKind } from './errors.js';

// ── client (http/, models/) ───────────────────────────────────────────────────────
// (client exports)
export { createClient, RewardgateClient } from './client/create-client.js';
export type { ClientOptions } from './client/client-options.js';
export type { ChatAPI } from './client/chat.js';
export type { RewardAPI } from './client/reward.js';
export type { RewardRequest, RewardBatchRequest } from './client/reward-schemas.js';
export type { RewardWeights, RewardAttribute } from './client/reward-parse.js';
export type { ModelsAPI, HealthAPI, ModelInfo } from './client/models.js';
export type { Timeouts } from './http/timeouts.js';
export { fromOpenAI } from './models/openai.js';
export type { FromOpenAIOptions } from './models/openai.js';
export { nimReward } from './scorers/nim-reward.js';
export type { NimRewardOptions } from './scorers/nim-reward.js';

// ── pipeline, scorers, guards ─────────────────────────────────────────────────────
// (pipeline exports)
export { pipeline } from './pipeline/pipeline.js';
export { bestOfN } from './pipeline/best-of-n.js';
export { scoreThreshold } from './pipeline/score-threshold.js';
export { safety } from './pipeline/safety.js';
export { ReportRecorder } from './pipeline/report.js';
export { DEFAULT_REFUSAL } from './pipeline/refusal.js';
export type { BestOfNOptions } from './pipeline/best-of-n.js';
export type { ScoreThresholdOptions } from './pipeline/score-threshold.js';
export type { SafetyOptions } from './pipeline/safety.js';
export type { HoldBack } from './pipeline/hold-back.js';
export type {
  Middleware,
  GuardedModel,
  GuardedCompletion,
  PipelineEvent,
  PipelineContext,
  PipelineOptions,
  Report,
  CandidateReport,
  RailVerdict,
  LayerEvent,
  NextOptions,
  GenerateNext,
  StreamNext,
} from './pipeline/types.js';
export { scorerFromFunction } from './scorers/from-function.js';
export { someScorer, everyScorer } from './pipeline/combine-scorers.js';
export { guardFromFunction } from './guards/guard-from-function.js';
export { everyGuard } from './guards/every-guard.js';
export { nemoguard, NEMOGUARD_MODEL } from './guards/nemoguard.js';
export type { NemoguardOptions } from './guards/nemoguard.js';
export { llamaGuard, LLAMA_GUARD_MODEL } from './guards/llama-guard.js';
export type { LlamaGuardOptions } from './guards/llama-guard.js';
export type { GuardModelOptions } from './guards/guard-chat.js';
export { mapCategory, nemoguardCategories, llamaGuardCategories, openaiModerationCategories } from './guards/taxonomy-maps.js';
export type { CategoryVendor } from './guards/taxonomy-maps.js';

// (kserve exports)
export { createKServeScorer } from './scorers/kserve.js';
export type { KServeScorerOptions, KServeTokenizer } from './scorers/kserve.js';

// (eval exports)
export { evaluateRewardBench, summarizeRewardBench, RewardBenchRowSchema, REWARDBENCH_SECTIONS, sectionOf, subsetWeight } from './eval/index.js';
export type { EvaluateOptions, RowOutcome, RewardBenchResult, RewardBenchSummary, SubsetResult, RewardBenchRow, RewardBenchSection } from './eval/index.js';

// (integrations exports): the OpenAI chat-completions wire format, for any fetch-style server.
export { createChatHandler } from './integrations/wire/chat-handler.js';
export { OpenAIChatBodySchema, toChatRequest } from './integrations/wire/request.js';
export { createResponseMeta, toChatCompletion } from './integrations/wire/completion.js';
export { toSSE } from './integrations/wire/chunks.js';
export { toWireError } from './integrations/wire/errors.js';
export type { OpenAIChatBody, WireRequest } from './integrations/wire/request.js';
export type { OpenAIChatCompletion, ResponseMeta, RewardgateField, WireCompletion } from './integrations/wire/completion.js';
export type { OpenAIChatCompletionChunk, ToSSEOptions } from './integrations/wire/chunks.js';
export type { OpenAIErrorBody, WireError } from './integrations/wire/errors.js';
export type { AnyChatModel, ChatWireOptions, ModelSource } from './integrations/wire/run-chat.js';
