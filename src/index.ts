// rewardgate: the public surface of the core entry. Explicit named exports only.

// ── types and schemas ─────────────────────────────────────────────────────────────
export {
  MessageSchema,
  ConversationSchema,
  ChatRequestSchema,
  UsageSchema,
  FinishReasonSchema,
  CompletionSchema,
  ScoreSchema,
  CategoryHitSchema,
  VerdictSchema,
} from './types.js';
export type { Message, ChatRequest, Usage, FinishReason, Completion, Score, CategoryHit, Verdict } from './types.js';
export { CategorySchema } from './guards/taxonomy.js';
export type { Category } from './guards/taxonomy.js';
export type { CallOptions, ChatModel, Scorer, Guard, StreamEvent, TextDeltaEvent, FinishEvent } from './interfaces.js';

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

// ── pipeline, scorers, guards ─────────────────────────────────────────────────────
// (pipeline exports)
