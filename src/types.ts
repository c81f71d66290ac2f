import * as z from 'zod/mini';
import { tryParse } from './internal/validate.js';
import { CategorySchema } from './taxonomy.js';

// ── content parts ─────────────────────────────────────────────────────────────────
// OpenAI's content parts. Known part types are validated (so a broken `image_url` names its
// path); a part of a type we do not know is kept as it is, never dropped.

/** A text part: `{ type: 'text', text }`. */
export const TextPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
/** An image part: `{ type: 'image_url', image_url: { url, detail? } }`. */
export const ImagePartSchema = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().check(z.minLength(1)), detail: z.optional(z.enum(['auto', 'low', 'high'])) }),
});
/** An audio part: `{ type: 'input_audio', input_audio: { data, format } }`. */
export const AudioPartSchema = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string().check(z.minLength(1)) }),
});
/** A file part: `{ type: 'file', file: { file_data?, file_id?, filename? } }`. */
export const FilePartSchema = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({ file_data: z.optional(z.string()), file_id: z.optional(z.string()), filename: z.optional(z.string()) }),
});
/** A text content part. */
export type TextPart = z.infer<typeof TextPartSchema>;
/** An image content part. */
export type ImagePart = z.infer<typeof ImagePartSchema>;
/** An audio content part. */
export type AudioPart = z.infer<typeof AudioPartSchema>;
/** A file content part. */
export type FilePart = z.infer<typeof FilePartSchema>;
/** A part of a type rewardgate does not know: carried through unchanged. */
export type OtherPart = { type: string; [key: string]: unknown };
/** One content part: a known kind, or one rewardgate does not know (kept as it is). */
export type ContentPart = TextPart | ImagePart | AudioPart | FilePart | OtherPart;

const KNOWN_PARTS: Record<string, z.ZodMiniType> = { text: TextPartSchema, image_url: ImagePartSchema, input_audio: AudioPartSchema, file: FilePartSchema };

/** One content part; known types are checked field by field, unknown types pass through. */
export const ContentPartSchema = z.looseObject({ type: z.string().check(z.minLength(1)) }).check(
  z.superRefine((part, ctx) => {
    const known = KNOWN_PARTS[part.type];
    if (!known) return;
    const result = tryParse(known, part);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
  }),
) as unknown as z.ZodMiniType<ContentPart>;

/** Message content: a string, content parts, or null (an assistant turn that only calls tools). */
export const ContentSchema = z.union([z.string(), z.array(ContentPartSchema), z.null()]);
/** Message content: a string, content parts, or null. */
export type Content = z.infer<typeof ContentSchema>;

// ── tool calls ────────────────────────────────────────────────────────────────────

/** A tool call as OpenAI writes it; `arguments` is the JSON text the model produced (maybe invalid). */
export const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string().check(z.minLength(1)), arguments: z.string() }),
});
/** A tool call the model made: `{ id, type: "function", function: { name, arguments } }`. */
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** A tool offered to the model: `{ type: 'function', function: { name, description?, parameters? } }`. */
export const ToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().check(z.minLength(1)),
    description: z.optional(z.string()),
    parameters: z.optional(z.record(z.string(), z.unknown())),
    strict: z.nullish(z.boolean()),
  }),
});
/** A tool offered to the model (OpenAI function format, JSON Schema parameters). */
export type Tool = z.infer<typeof ToolSchema>;

/** `tool_choice`: `none`, `auto`, `required`, or one named function. */
export const ToolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.object({ name: z.string().check(z.minLength(1)) }) }),
]);
/** Which tool the model may or must call. */
export type ToolChoice = z.infer<typeof ToolChoiceSchema>;

// ── messages ──────────────────────────────────────────────────────────────────────

/**
 * A chat turn in the OpenAI shape: `content` is a string, content parts or null; assistant turns
 * may carry `tool_calls` and `reasoning`; `tool` turns carry `tool_call_id`. Plain
 * `{ role, content: 'text' }` is a valid message.
 */
export const MessageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.optional(ContentSchema),
    name: z.optional(z.string()),
    tool_calls: z.optional(z.array(ToolCallSchema)),
    tool_call_id: z.optional(z.string()),
    reasoning: z.optional(z.string()),
  })
  .check(
    z.superRefine((m, ctx) => {
      if (m.tool_calls !== undefined && m.role !== 'assistant') ctx.addIssue({ code: 'custom', path: ['tool_calls'], message: 'only assistant turns carry tool_calls' });
      if (m.reasoning !== undefined && m.role !== 'assistant') ctx.addIssue({ code: 'custom', path: ['reasoning'], message: 'only assistant turns carry reasoning' });
      if (m.tool_call_id !== undefined && m.role !== 'tool') ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'only tool turns carry tool_call_id' });
      if (m.content == null && !(m.role === 'assistant' && m.tool_calls?.length)) {
        ctx.addIssue({ code: 'custom', path: ['content'], message: 'content is required (it may be null only on an assistant turn with tool_calls)' });
      }
    }),
  );
/** A chat turn in the OpenAI shape (see {@link MessageSchema}). */
export type Message = z.infer<typeof MessageSchema>;

/** A conversation: one or more turns, oldest first. */
export const ConversationSchema = z.array(MessageSchema).check(z.minLength(1, 'a conversation needs at least one message'));

// ── requests ──────────────────────────────────────────────────────────────────────

/** `response_format`: `text`, `json_object` or `json_schema` (its schema kept as given). */
export const ResponseFormatSchema = z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) });

/**
 * An OpenAI-shaped chat request. `extra` is merged into the request body as-is (e.g. `nvext`).
 * `max_completion_tokens` and `max_tokens` are kept apart and sent as given.
 */
export const ChatRequestSchema = z.object({
  messages: ConversationSchema,
  model: z.optional(z.string().check(z.minLength(1))),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(2))),
  top_p: z.optional(z.number().check(z.gt(0), z.maximum(1))),
  max_tokens: z.optional(z.int().check(z.positive())),
  max_completion_tokens: z.optional(z.int().check(z.positive())),
  seed: z.optional(z.int()),
  stop: z.optional(z.union([z.string(), z.array(z.string()).check(z.maxLength(16))])),
  n: z.optional(z.int().check(z.positive())),
  tools: z.optional(z.array(ToolSchema)),
  tool_choice: z.optional(ToolChoiceSchema),
  parallel_tool_calls: z.optional(z.boolean()),
  response_format: z.optional(ResponseFormatSchema),
  logprobs: z.optional(z.boolean()),
  top_logprobs: z.optional(z.int().check(z.minimum(0), z.maximum(20))),
  reasoning_effort: z.optional(z.enum(['none', 'minimal', 'low', 'medium', 'high'])),
  extra: z.optional(z.record(z.string(), z.unknown())),
});
/** An OpenAI-shaped chat request (see {@link ChatRequestSchema}). */
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

// ── completions ───────────────────────────────────────────────────────────────────

/** Token counts as reported by the server (or counted locally). */
export const UsageSchema = z.object({
  promptTokens: z.int().check(z.nonnegative()),
  completionTokens: z.int().check(z.nonnegative()),
  totalTokens: z.int().check(z.nonnegative()),
});
/** Token counts of one call. */
export type Usage = z.infer<typeof UsageSchema>;

/**
 * Why generation ended. `abort`: cancelled by the caller or a middleware;
 * `refused`: a guardrail replaced the answer with a refusal.
 */
export const FinishReasonSchema = z.enum(['stop', 'length', 'content_filter', 'tool_calls', 'abort', 'refused', 'other']);
/** Why generation ended (see {@link FinishReasonSchema}). */
export type FinishReason = z.infer<typeof FinishReasonSchema>;

const TopLogprobSchema = z.looseObject({ token: z.string(), logprob: z.number(), bytes: z.nullish(z.array(z.number())) });
/** One token's log probability, OpenAI's `logprobs.content[i]`. */
export const TokenLogprobSchema = z.extend(TopLogprobSchema, { top_logprobs: z.optional(z.array(TopLogprobSchema)) });
/** One token's log probability. */
export type TokenLogprob = z.infer<typeof TokenLogprobSchema>;
/** OpenAI's `choice.logprobs`: per-token log probabilities of the content (and of a refusal). */
export const LogprobsSchema = z.looseObject({ content: z.nullable(z.array(TokenLogprobSchema)), refusal: z.nullish(z.array(TokenLogprobSchema)) });
/** Per-token log probabilities (OpenAI's `choice.logprobs`). */
export type Logprobs = z.infer<typeof LogprobsSchema>;

/**
 * One finished answer: its text, the tool calls it makes (`finishReason: 'tool_calls'`), the
 * reasoning the model gave apart from the answer, and token log probabilities when asked.
 */
export const CompletionSchema = z.object({
  id: z.optional(z.string()),
  model: z.optional(z.string()),
  text: z.string(),
  toolCalls: z.optional(z.array(ToolCallSchema)),
  reasoning: z.optional(z.string()),
  logprobs: z.optional(LogprobsSchema),
  finishReason: FinishReasonSchema,
  usage: z.optional(UsageSchema),
});
/** One finished answer (see {@link CompletionSchema}). */
export type Completion = z.infer<typeof CompletionSchema>;

// ── scores and verdicts ───────────────────────────────────────────────────────────

/** A reward score: `value` is the scalar used for ranking; `attributes` for multi-attribute models. */
export const ScoreSchema = z.object({
  value: z.number(),
  attributes: z.optional(z.record(z.string(), z.number())),
});
/** A reward score. */
export type Score = z.infer<typeof ScoreSchema>;

/** One flagged category: the taxonomy category plus the vendor's own label for it. */
export const CategoryHitSchema = z.object({
  category: CategorySchema,
  label: z.string(),
  score: z.optional(z.number()),
});
/** One flagged category with the vendor label. */
export type CategoryHit = z.infer<typeof CategoryHitSchema>;

/**
 * A guard's verdict on the last turn of a conversation. `failedToParse` is set when the guard's
 * reply could not be read and the verdict came from the fail mode (closed: unsafe; open: safe).
 */
export const VerdictSchema = z.object({
  safe: z.boolean(),
  categories: z.array(CategoryHitSchema),
  raw: z.optional(z.unknown()),
  failedToParse: z.optional(z.boolean()),
});
/** A guard's verdict. */
export type Verdict = z.infer<typeof VerdictSchema>;
