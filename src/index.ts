// rewardgate: the public surface of the core entry (DESIGN.md "Public surface"). Explicit named
// exports only. More lives behind subpaths: rewardgate/eval (RewardBench and guard-eval helpers),
// rewardgate/wire (the OpenAI wire format), rewardgate/taxonomy (vendor label tables), rewardgate/onnx...

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
export { CategorySchema } from './taxonomy.js';
export type { Category } from './taxonomy.js';
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
  ResponseError,
  ModelLoadError,
  GuardrailError,
  GuardError,
  GuardConfigurationError,
  GuardUnavailableError,
  GuardInputError,
  ScorerConfigurationError,
} from './errors.js';
export type { TimeoutPhase, StreamErrorKind, ResponseErrorKind, GuardErrorCode, GuardFailure } from './errors.js';

// ── client (http/, models/) ───────────────────────────────────────────────────────
// (client exports)
export { createClient, RewardgateClient } from './client/create-client.js';
export type { ClientOptions } from './client/client-options.js';
export type { ChatAPI } from './client/chat.js';
export type { RewardAPI } from './client/reward.js';
export type { RewardRequest, RewardBatchRequest } from './client/reward-schemas.js';
export type { RewardWeights, RewardAttribute, AttributeWeights } from './client/reward-parse.js';
export type { ModelsAPI, HealthAPI, ModelInfo } from './client/models.js';
export type { Timeouts } from './http/timeouts.js';
export { fromOpenAI } from './models/openai.js';
export type { FromOpenAIOptions, OpenAIClientLike } from './models/openai.js';
export { nimReward } from './scorers/nim-reward.js';
export type { NimRewardOptions } from './scorers/nim-reward.js';

// ── pipeline, scorers, guards ─────────────────────────────────────────────────────
// (pipeline exports)
export { pipeline } from './pipeline/pipeline.js';
export { bestOfN } from './middleware/best-of-n/best-of-n.js';
export { speculativeBestOfN } from './middleware/speculative-best-of-n/speculative-best-of-n.js';
export type { SpeculativeBestOfNOptions, SpeculativeCheckpoints } from './middleware/speculative-best-of-n/speculative-best-of-n.js';
export { scoreThreshold } from './middleware/score-threshold/score-threshold.js';
export { safety } from './middleware/safety/safety.js';
export { extractReasoning } from './middleware/extract-reasoning/extract-reasoning.js';
export type { ExtractReasoningOptions } from './middleware/extract-reasoning/extract-reasoning.js';
// The recorder is made by the pipeline; middleware reach it as `ctx.report`, so only its type is public.
export type { ReportRecorder } from './pipeline/report.js';
export { DEFAULT_REFUSAL } from './pipeline/refusal.js';
export type { BestOfNOptions } from './middleware/best-of-n/best-of-n.js';
export type { ScoreThresholdOptions } from './middleware/score-threshold/score-threshold.js';
export type { SafetyOptions } from './middleware/safety/safety.js';
export { REDACTED_TOOL_RESULT } from './middleware/safety/safety-tool-results.js';
export { toolPolicy } from './middleware/tool-policy/tool-policy.js';
export type { ToolPolicyOptions, ToolCheckContext, ToolCallViolation, ToolViolationKind } from './middleware/tool-policy/tool-policy.js';
export type { ScorerCallOptions } from './pipeline/scoring.js';
export type { HoldBack } from './middleware/safety/hold-back.js';
export type {
  Middleware,
  GuardedModel,
  GuardedCompletion,
  PipelineEvent,
  PipelineContext,
  PipelineOptions,
  Report,
  CandidateReport,
  CheckpointScore,
  SpeculativeSummary,
  RailVerdict,
  ToolViolation,
  ToolTraffic,
  LayerEvent,
  NextOptions,
  GenerateNext,
  StreamNext,
} from './pipeline/types.js';
export { scorerFromFunction } from './scorers/from-function.js';
export { someScorer, everyScorer } from './scorers/combine-scorers.js';
export { guardFromFunction } from './guards/guard-from-function.js';
export { everyGuard } from './guards/every-guard.js';
export { nemoguard } from './guards/nemoguard.js';
export type { NemoguardOptions } from './guards/nemoguard.js';
export { llamaGuard } from './guards/llama-guard.js';
export type { LlamaGuardOptions } from './guards/llama-guard.js';
export { nemotronSafetyGuard } from './guards/nemotron-safety-guard.js';
export type { NemotronSafetyGuardOptions } from './guards/nemotron-safety-guard.js';
export { contentSafetyReasoning } from './guards/content-safety-reasoning.js';
export type { ContentSafetyReasoningOptions } from './guards/content-safety-reasoning.js';
export { topicControl } from './guards/topic-control.js';
export type { TopicControlOptions } from './guards/topic-control.js';
export { jailbreakDetect } from './guards/jailbreak-detect.js';
export type { JailbreakDetectOptions } from './guards/jailbreak-detect.js';
export type { GuardModelOptions } from './guards/guard-chat.js';

// (kserve exports)
export { createKServeScorer } from './scorers/kserve.js';
export type { KServeScorerOptions, KServeTokenizer } from './scorers/kserve.js';

// (eval exports): the two evaluations; their row schemas, summaries and metrics are in rewardgate/eval.
export { evaluateRewardBench, evaluateGuard } from './eval/index.js';
export type { EvaluateOptions, RewardBenchResult, RewardBench2Result, AnyRewardBenchResult, EvaluateGuardOptions, GuardEvalResult } from './eval/index.js';
