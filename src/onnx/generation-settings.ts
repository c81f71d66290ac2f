import * as z from 'zod/mini';
import { ModelLoadError } from '../errors.js';
import { tryParse, validate } from '../internal/validate.js';
import type { ChatRequest } from '../types.js';
import type { ModelFolder } from './model-folder.js';

/** How one local generation samples and when it stops. */
export interface GenerationSettings {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  /** 0: no top-k limit. */
  topK: number;
  repetitionPenalty: number;
  /** End-of-sequence tokens are impossible before this many new tokens. */
  minNewTokens: number;
  seed: number;
  stops: string[];
}

// An optional whole number >= 0 (token counts, top-k).
const count = () => z.optional(z.int().check(z.minimum(0)));

// Sampling knobs OpenAI's request has no field for: read from `extra`, where vLLM and NIM take
// them too (`min_tokens` is vLLM's name for `min_new_tokens`).
const ExtraSchema = z.looseObject({
  top_k: count(),
  repetition_penalty: z.optional(z.number().check(z.gt(0))),
  min_new_tokens: count(),
  min_tokens: count(),
});
const RequestExtraSchema = z.object({ extra: z.optional(ExtraSchema) });

const ConfigSamplingSchema = z.looseObject({
  top_k: count(),
  repetition_penalty: z.optional(z.number().check(z.gt(0))),
  min_new_tokens: count(),
});

/** Checks the sampling keys of `generation_config.json` at load (bad values name the file). */
export function configSampling(folder: ModelFolder): z.infer<typeof ConfigSamplingSchema> {
  const parsed = tryParse(ConfigSamplingSchema, folder.generationConfig ?? {});
  if (parsed.success) return parsed.data;
  const file = `${folder.path}/generation_config.json`;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new ModelLoadError(`${file} is malformed: ${issues}`, { file });
}

/** The request's settings over the folder's `generation_config.json` defaults. */
export function generationSettings(req: ChatRequest, folder: ModelFolder, defaults: z.infer<typeof ConfigSamplingSchema>): GenerationSettings {
  const extra = validate(RequestExtraSchema, { extra: req.extra }, 'request').extra ?? {};
  const gen = folder.generationConfig;
  const stop = req.stop;
  return {
    maxNewTokens: req.max_completion_tokens ?? req.max_tokens ?? gen?.max_new_tokens ?? 256,
    temperature: req.temperature ?? gen?.temperature ?? 1,
    topP: req.top_p ?? gen?.top_p ?? 1,
    topK: extra.top_k ?? defaults.top_k ?? 0,
    repetitionPenalty: extra.repetition_penalty ?? defaults.repetition_penalty ?? 1,
    minNewTokens: extra.min_new_tokens ?? extra.min_tokens ?? defaults.min_new_tokens ?? 0,
    seed: req.seed ?? Math.floor(Math.random() * 2 ** 32),
    stops: typeof stop === 'string' ? [stop] : (stop ?? []),
  };
}
