import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import * as z from 'zod/mini';
import { formatPath, ModelLoadError } from '../errors.js';
import { tryParse } from '../internal/validate.js';
import { externalDataLocations } from './onnx-external-data.js';
import { DTYPE_SUFFIX, type Dtype } from './options.js';

const TokenIds = z.nullish(z.union([z.int(), z.array(z.int())]));

/** The parts of a Hugging Face `config.json` that local models use; other keys are kept as-is. */
export const ModelConfigSchema = z.looseObject({
  model_type: z.optional(z.string()),
  id2label: z.optional(z.record(z.string().check(z.regex(/^\d+$/, 'keys must be label indices')), z.string())),
  problem_type: z.nullish(z.string()),
  pad_token_id: TokenIds,
  bos_token_id: TokenIds,
  eos_token_id: TokenIds,
  max_position_embeddings: z.optional(z.int().check(z.positive())),
  vocab_size: z.optional(z.int().check(z.positive())),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** `generation_config.json`, when the folder has one. */
export const GenerationConfigSchema = z.looseObject({
  bos_token_id: TokenIds,
  eos_token_id: TokenIds,
  pad_token_id: TokenIds,
  max_new_tokens: z.optional(z.int().check(z.positive())),
  temperature: z.optional(z.number().check(z.minimum(0))),
  top_p: z.optional(z.number().check(z.gt(0), z.maximum(1))),
});
export type GenerationConfig = z.infer<typeof GenerationConfigSchema>;

/** A model folder's files, read and checked. */
export interface ModelFolder {
  path: string;
  name: string;
  /** The ONNX graph to load (absolute path). */
  modelFile: string;
  /** The external data files the graph references (absolute paths; empty when the weights are inside it). */
  externalData: string[];
  config: ModelConfig;
  generationConfig: GenerationConfig | undefined;
}

/** Which graph of the folder to load: an exact `modelFile`, or a `dtype` variant (default fp32). */
export interface ModelFileChoice {
  /** A path inside the folder, e.g. `onnx/model_fp16.onnx`. */
  modelFile?: string | undefined;
  dtype?: Dtype | undefined;
}

/**
 * The graph files to try, in order: `modelFile` as given, else `model{suffix}.onnx` at the top of
 * the folder (the Optimum layout), then in `onnx/` (the transformers.js hub layout).
 */
export function modelFileCandidates(choice: ModelFileChoice = {}): string[] {
  if (choice.modelFile !== undefined) return [choice.modelFile];
  const name = `model${DTYPE_SUFFIX[choice.dtype ?? 'fp32']}.onnx`;
  return [name, `onnx/${name}`];
}

/**
 * Reads `config.json` (required), `generation_config.json` (optional), finds the ONNX graph (see
 * {@link modelFileCandidates}) and checks that the external data files it references are there.
 * Every problem is a ModelLoadError naming the file and, for a missing one, the files there are.
 */
export async function readModelFolder(path: string, choice: ModelFileChoice = {}): Promise<ModelFolder> {
  const dir = resolve(path);
  await checkFolder(dir);
  const modelFile = await findModelFile(dir, choice);
  const externalData = await checkExternalData(modelFile);
  const config = await readJson(join(dir, 'config.json'), ModelConfigSchema, true);
  const generationConfig = await readJson(join(dir, 'generation_config.json'), GenerationConfigSchema, false);
  return { path: dir, name: basename(dir), modelFile, externalData, config: config!, generationConfig };
}

// A folder that exists but cannot be listed is not "missing": say what the system said.
async function checkFolder(dir: string): Promise<void> {
  try {
    await readdir(dir);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const what = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ModelLoadError(`Model folder ${dir} ${what}`, { file: dir, cause: error });
  }
}

async function findModelFile(dir: string, choice: ModelFileChoice): Promise<string> {
  const candidates = modelFileCandidates(choice);
  for (const candidate of candidates) {
    const file = join(dir, candidate);
    if (await isFile(file)) return file;
    // A FIFO or device named model.onnx would block the reader forever: refuse it by name.
    if (await exists(file)) throw new ModelLoadError(`Model file ${file} is not a regular file`, { file });
  }
  const present = await onnxFilesIn(dir);
  const wanted = choice.modelFile !== undefined ? `modelFile ${choice.modelFile}` : `dtype ${choice.dtype ?? 'fp32'}`;
  const looked = candidates.join(' and ');
  const there =
    present.length > 0
      ? `ONNX files there: ${present.map(describeVariant).join(', ')}`
      : `there is no .onnx file in it or in onnx/ (files there: ${(await filesIn(dir)).join(', ') || 'none'})`;
  const file = join(dir, candidates[0]!);
  throw new ModelLoadError(`Model file ${file} is missing: no ${looked} in ${dir} for ${wanted}; ${there}`, { file });
}

/** `onnx/model_q4.onnx (dtype 'q4')`: a file with the dtype that selects it, when one does. */
function describeVariant(file: string): string {
  const name = file.replace(/^onnx\//, '');
  const dtype = (Object.keys(DTYPE_SUFFIX) as Dtype[]).find((d) => name === `model${DTYPE_SUFFIX[d]}.onnx`);
  return dtype ? `${file} (dtype '${dtype}')` : `${file} (modelFile '${file}')`;
}

async function onnxFilesIn(dir: string): Promise<string[]> {
  const top = (await filesIn(dir)).filter((f) => f.endsWith('.onnx'));
  const sub = (await filesIn(join(dir, 'onnx'))).filter((f) => f.endsWith('.onnx')).map((f) => `onnx/${f}`);
  return [...top, ...sub];
}

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The external data files `modelFile` references, each checked to exist next to it. */
async function checkExternalData(modelFile: string): Promise<string[]> {
  const dir = dirname(modelFile);
  const files = (await externalDataLocations(modelFile)).map((location) => resolve(dir, location));
  const missing: string[] = [];
  for (const file of files) if (!(await isFile(file))) missing.push(file);
  if (missing.length > 0) {
    const there = (await filesIn(dir)).join(', ') || 'none';
    throw new ModelLoadError(
      `${modelFile} keeps its weights in external data files, and ${missing.map((f) => relative(dir, f)).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing next to it (files in ${dir}: ${there}); download every ${basename(modelFile)}_data* file with the graph`,
      { file: missing[0]! },
    );
  }
  return files;
}

/** Reads and validates a JSON file; `required: false` returns undefined when it does not exist. */
export async function readJson<S extends z.core.$ZodType>(file: string, schema: S, required: boolean): Promise<z.output<S> | undefined> {
  let text: string;
  try {
    // Only regular files are read: a FIFO in the folder would block the load (and shutdown) forever.
    if (!(await stat(file)).isFile()) throw new ModelLoadError(`${file} is not a regular file`, { file });
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (ModelLoadError.isInstance(error)) throw error;
    if (!required && (error as { code?: string }).code === 'ENOENT') return undefined;
    throw new ModelLoadError(`Cannot read ${file}: ${(error as Error).message}`, { file, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(`${file} is not valid JSON: ${(error as Error).message}`, { file, cause: error });
  }
  const parsed = tryParse(schema, json);
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
