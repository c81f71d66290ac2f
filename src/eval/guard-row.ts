import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import { validate } from '../internal/validate.js';
import { nemoguardCategories } from '../guards/taxonomy-maps.js';
import { CategorySchema, type Category } from '../taxonomy.js';
import type { Message } from '../types.js';
import { PromptSchema, promptTurns } from './prompt.js';

/**
 * One labelled guard row, in the columns Aegis 2.0 and ToxicChat publish or the plain ones:
 * `prompt` (or ToxicChat's `user_input`; a string or a messages array), optional `response`
 * (or `model_output`), the label `label` (`safe` / `unsafe`, or 0 / 1), else Aegis's
 * `prompt_label` / `response_label`, else ToxicChat's `toxicity` (1 is unsafe), and optional
 * `categories` (a list, or Aegis's comma-separated `violated_categories`). Extra columns are kept.
 *
 * @example
 * GuardRowSchema.parse({ prompt: 'How do I hotwire a car?', label: 'unsafe', categories: ['Criminal Planning/Confessions'] });
 */
export const GuardRowSchema = z.looseObject({
  id: z.nullish(z.union([z.string(), z.number()])),
  prompt: z.optional(PromptSchema),
  user_input: z.optional(z.string()),
  response: z.nullish(z.string()),
  model_output: z.nullish(z.string()),
  label: z.nullish(z.union([z.string(), z.number()])),
  prompt_label: z.nullish(z.string()),
  response_label: z.nullish(z.string()),
  toxicity: z.nullish(z.number()),
  categories: z.nullish(z.union([z.array(z.string()), z.string()])),
  violated_categories: z.nullish(z.union([z.array(z.string()), z.string()])),
});
/** One labelled row of a guard evaluation set. */
export type GuardRow = z.infer<typeof GuardRowSchema>;

/** What a guard is asked to judge: the prompt alone (input rail) or the response to it (output rail). */
export type GuardTarget = 'prompt' | 'response';

/** A row as evaluated: the conversation whose last turn the guard judges, and the truth. */
export interface LabelledConversation {
  id: string | number | undefined;
  conversation: Message[];
  target: GuardTarget;
  unsafe: boolean;
  /** Taxonomy categories of the label; undefined when the row names none (left out of category metrics when unsafe). */
  categories: Category[] | undefined;
}

/**
 * The conversation and truth of a row. `target` `'auto'` judges the response when the row has one
 * and a label for it, else the prompt; `'prompt'` / `'response'` force one (Aegis rows label both).
 */
export function labelGuardRow(value: unknown, target: 'auto' | GuardTarget, where: string): LabelledConversation {
  const row = validate(GuardRowSchema, value, where);
  const prompt = row.prompt ?? row.user_input;
  if (prompt === undefined) throw new ValidationError(where, [{ path: 'prompt', message: 'a row needs `prompt` (or `user_input`)' }]);
  const response = row.response ?? row.model_output ?? undefined;
  const hasResponse = typeof response === 'string' && response !== '';
  const responseLabel = row.label ?? row.response_label;
  const use: GuardTarget = target !== 'auto' ? target : hasResponse && responseLabel != null ? 'response' : 'prompt';
  if (use === 'response' && !hasResponse) throw new ValidationError(where, [{ path: 'response', message: 'judging the response needs a `response` (or `model_output`)' }]);
  const raw = use === 'response' ? responseLabel : (row.label ?? row.prompt_label ?? row.toxicity);
  const labelPath = row.label != null ? 'label' : use === 'response' ? 'response_label' : row.prompt_label != null ? 'prompt_label' : 'toxicity';
  if (raw == null) throw new ValidationError(where, [{ path: 'label', message: `a row needs a label: \`label\` (safe / unsafe), ${use === 'response' ? '`response_label`' : '`prompt_label` or `toxicity`'}` }]);
  const unsafe = readLabel(raw);
  if (unsafe === undefined) throw new ValidationError(where, [{ path: labelPath, message: `expected safe / unsafe (or 0 / 1), got ${JSON.stringify(raw)}` }]);
  const names = splitCategories(row.categories ?? row.violated_categories);
  const conversation = use === 'response' ? [...promptTurns(prompt), { role: 'assistant' as const, content: response! }] : promptTurns(prompt);
  return { id: row.id ?? undefined, conversation, target: use, unsafe, categories: names === undefined ? (unsafe ? undefined : []) : names.map(datasetCategory) };
}

function readLabel(raw: string | number): boolean | undefined {
  if (raw === 1 || raw === 0) return raw === 1;
  const s = String(raw).trim().toLowerCase();
  if (s === 'unsafe' || s === '1' || s === 'harmful' || s === 'toxic') return true;
  if (s === 'safe' || s === '0' || s === 'unharmful' || s === 'benign') return false;
  return undefined;
}

function splitCategories(value: string | string[] | null | undefined): string[] | undefined {
  if (value == null) return undefined;
  const list = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  return list.length ? [...new Set(list)] : undefined;
}

const NEMOGUARD_BY_KEY = new Map(Object.entries(nemoguardCategories).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * A dataset's category name as a taxonomy category: a taxonomy name itself (`violence`,
 * `criminal_planning`), else a NemoGuard / Aegis name (`Criminal Planning/Confessions`), else `other`.
 *
 * @example
 * datasetCategory('Guns and Illegal Weapons'); // 'weapons'
 */
export function datasetCategory(name: string): Category {
  const own = CategorySchema.safeParse(name.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  if (own.success) return own.data;
  return NEMOGUARD_BY_KEY.get(name.trim().toLowerCase()) ?? 'other';
}
