import { z } from 'zod';
import { CategorySchema } from './guards/taxonomy.js';

/** A chat turn. `tool` turns carry tool output as text. */
export const MessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
});
export type Message = z.infer<typeof MessageSchema>;

/** A conversation: one or more turns, oldest first. */
export const ConversationSchema = z.array(MessageSchema).min(1, 'a conversation needs at least one message');

/** An OpenAI-shaped chat request. `extra` is merged into the request body as-is (e.g. `nvext`). */
export const ChatRequestSchema = z.object({
  messages: ConversationSchema,
  model: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).optional(),
  n: z.number().int().positive().optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** Token counts as reported by the server (or counted locally). */
export const UsageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

/**
 * Why generation ended. `abort`: cancelled by the caller or a middleware;
 * `refused`: a guardrail replaced the answer with a refusal.
 */
export const FinishReasonSchema = z.enum(['stop', 'length', 'content_filter', 'tool_calls', 'abort', 'refused', 'other']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

/** One finished answer. */
export const CompletionSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  text: z.string(),
  finishReason: FinishReasonSchema,
  usage: UsageSchema.optional(),
});
export type Completion = z.infer<typeof CompletionSchema>;

/** A reward score: `value` is the scalar used for ranking; `attributes` for multi-attribute models. */
export const ScoreSchema = z.object({
  value: z.number(),
  attributes: z.record(z.string(), z.number()).optional(),
});
export type Score = z.infer<typeof ScoreSchema>;

/** One flagged category: the taxonomy category plus the vendor's own label for it. */
export const CategoryHitSchema = z.object({
  category: CategorySchema,
  label: z.string(),
  score: z.number().optional(),
});
export type CategoryHit = z.infer<typeof CategoryHitSchema>;

/**
 * A guard's verdict on the last turn of a conversation. `failedToParse` is set when the guard's
 * reply could not be read and the verdict came from the fail mode (closed: unsafe; open: safe).
 */
export const VerdictSchema = z.object({
  safe: z.boolean(),
  categories: z.array(CategoryHitSchema),
  raw: z.unknown().optional(),
  failedToParse: z.boolean().optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;
