// Reading the files of a Hugging Face model folder, with errors that name the file and the problem.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoadError } from '../errors.js';

/** The text of `dir/name`; undefined when absent and not required. */
export async function readModelText(dir: string, name: string, required: true): Promise<string>;
export async function readModelText(dir: string, name: string, required: boolean): Promise<string | undefined>;
export async function readModelText(dir: string, name: string, required: boolean): Promise<string | undefined> {
  const file = join(dir, name);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    const problem = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(error)})`;
    throw new ModelLoadError(`${name} ${problem} in the model folder ${dir}`, { file, cause: error });
  }
}

/** `dir/name` parsed as a JSON object; undefined when absent and not required. */
export async function readModelJson(dir: string, name: string, required: true): Promise<Record<string, unknown>>;
export async function readModelJson(dir: string, name: string, required: boolean): Promise<Record<string, unknown> | undefined>;
export async function readModelJson(dir: string, name: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  const text = await readModelText(dir, name, required);
  if (text === undefined) return undefined;
  const file = join(dir, name);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(`${name} is not valid JSON (${(error as Error).message}) in ${dir}`, { file, cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelLoadError(`${name} must hold a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`, { file });
  }
  return value as Record<string, unknown>;
}
