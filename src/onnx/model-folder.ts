import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { formatPath, ModelLoadError } from '../errors.js';

const TokenIds = z.union([z.number().int(), z.array(z.number().int())]).nullish();

/** The parts of a Hugging Face `config.json` that local models use; other keys are kept as-is. */
export const ModelConfigSchema = z.looseObject({
  model_type: z.string().optional(),
  id2label: z.record(z.string().regex(/^\d+$/, 'keys must be label indices'), z.string()).optional(),
  problem_type: z.string().nullish(),
  pad_token_id: TokenIds,
  bos_token_id: TokenIds,
  eos_token_id: TokenIds,
  max_position_embeddings: z.number().int().positive().optional(),
  vocab_size: z.number().int().positive().optional(),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** `generation_config.json`, when the folder has one. */
export const GenerationConfigSchema = z.looseObject({
  bos_token_id: TokenIds,
  eos_token_id: TokenIds,
  pad_token_id: TokenIds,
  max_new_tokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).optional(),
  top_p: z.number().gt(0).max(1).optional(),
});
export type GenerationConfig = z.infer<typeof GenerationConfigSchema>;

/** A model folder's files, read and checked. */
export interface ModelFolder {
  path: string;
  name: string;
  modelFile: string;
  config: ModelConfig;
  generationConfig: GenerationConfig | undefined;
}

/**
 * Reads `config.json` (required), `generation_config.json` (optional) and checks that
 * `model.onnx` exists. Every problem is a ModelLoadError naming the file.
 */
export async function readModelFolder(path: string, options: { modelFile?: string } = {}): Promise<ModelFolder> {
  const dir = resolve(path);
  const modelFile = join(dir, options.modelFile ?? 'model.onnx');
  try {
    await access(modelFile);
  } catch (error) {
    throw new ModelLoadError(`Model file ${modelFile} is missing (expected an ONNX export in the model folder)`, { file: modelFile, cause: error });
  }
  const config = await readJson(join(dir, 'config.json'), ModelConfigSchema, true);
  const generationConfig = await readJson(join(dir, 'generation_config.json'), GenerationConfigSchema, false);
  return { path: dir, name: basename(dir), modelFile, config: config!, generationConfig };
}

/** Reads and validates a JSON file; `required: false` returns undefined when it does not exist. */
export async function readJson<S extends z.ZodType>(file: string, schema: S, required: boolean): Promise<z.output<S> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as { code?: string }).code === 'ENOENT') return undefined;
    throw new ModelLoadError(`Cannot read ${file}: ${(error as Error).message}`, { file, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(`${file} is not valid JSON: ${(error as Error).message}`, { file, cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`).join('; ');
    throw new ModelLoadError(`${file} is malformed: ${issues}`, { file, cause: parsed.error });
  }
  return parsed.data;
}

/** First id of a `number | number[]` config field. */
export function firstId(value: number | number[] | null | undefined): number | undefined {
  return Array.isArray(value) ? value[0] : (value ?? undefined);
}

/** Labels in index order from `id2label` (one unnamed label when absent). */
export function labelsOf(config: ModelConfig, file: string): string[] {
  const entries = Object.entries(config.id2label ?? { 0: 'LABEL_0' }).map(([k, v]) => [Number(k), v] as const);
  entries.sort((a, b) => a[0] - b[0]);
  entries.forEach(([index], i) => {
    if (index !== i) throw new ModelLoadError(`${file}: id2label indices must run 0..${entries.length - 1}; index ${i} is missing`, { file });
  });
  return entries.map(([, label]) => label);
}
