import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ValidationError } from '../errors.js';
import { tryParse } from '../internal/validate.js';
import { interpolateEnv, type ForbiddenValue, type MissingVariable } from './interpolate.js';
import { GuardConfigFileSchema, type GuardConfigFile } from './schema.js';

/** Options of {@link parseConfig} and {@link loadConfig}. */
export interface ConfigOptions {
  /** Where `${VAR}` is read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Validates a config object (already parsed from JSON or YAML, or written in code): `${VAR}`
 * substitution, defaults, cross-references. Throws a ValidationError naming each bad key, e.g.
 * `pipeline[1].bestOfN.n`.
 *
 * @example
 * const config = parseConfig({ upstream: { baseURL: 'http://127.0.0.1:8000/v1', model: 'llama' } });
 */
export function parseConfig(value: unknown, options: ConfigOptions = {}, where = 'config'): GuardConfigFile {
  const missing: MissingVariable[] = [];
  const forbidden: ForbiddenValue[] = [];
  const resolved = interpolateEnv(value, options.env ?? process.env, missing, [], forbidden);
  if (forbidden.length) throw new ValidationError(where, forbidden);
  const embedded = missing.filter((m) => m.embedded);
  if (embedded.length) {
    throw new ValidationError(where, embedded.map((m) => ({ path: m.path, message: `environment variable ${m.name} is not set` })));
  }
  const result = tryParse(GuardConfigFileSchema, resolved);
  if (result.success) return result.data;
  const error = ValidationError.fromZod(where, result.error);
  // A required key that came from an unset `${VAR}` says so, instead of a bare "required".
  // An issue on an object (`upstream: set one of baseURL, onnx`) names the unset variables inside it.
  const issues = error.issues.map((issue) => {
    const unset = missing.filter((m) => m.path === issue.path || issue.path === '' || m.path.startsWith(`${issue.path}.`) || m.path.startsWith(`${issue.path}[`));
    if (!unset.length) return issue;
    // The variable's own path only when it is not the issue's (a key inside the object at fault).
    const names = unset.map((m) => (m.path === issue.path ? `\${${m.name}}` : `\${${m.name}} (${m.path})`)).join(', ');
    return { path: issue.path, message: `${issue.message} (not set: ${names})` };
  });
  return throwIssues(where, issues, result.error);
}

/**
 * Reads and validates a config file: `.json` as JSON, anything else as YAML (a superset of JSON).
 *
 * @example
 * const config = await loadConfig('./rewardgate.yaml');
 */
export async function loadConfig(file: string, options: ConfigOptions = {}): Promise<GuardConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ValidationError(`config file ${file}`, [{ path: '', message: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` }], { cause });
  }
  const config = parseConfig(parseText(text, file), options, `config file ${file}`);
  // Model folders in a file are relative to the file, not to wherever the command was run.
  const base = dirname(resolve(file));
  const local = [config.upstream, ...Object.values(config.scorers), ...Object.values(config.guards)];
  for (const source of local) if (source.onnx) source.onnx.path = resolve(base, source.onnx.path);
  for (const scorer of Object.values(config.scorers)) if (scorer.kserve) scorer.kserve.tokenizer = resolve(base, scorer.kserve.tokenizer);
  return config;
}

function parseText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new ValidationError(`config file ${file}`, [{ path: '', message: `invalid JSON: ${(cause as Error).message}` }], { cause });
    }
  }
  // `${VAR}` is not valid YAML inside a flow map (`{ token: ${T} }`): swap each one for a plain
  // placeholder word, parse, then put the references back into the parsed strings.
  const refs: string[] = [];
  const safe = text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}\n]*)?\}/g, (ref) => `__rewardgate_env_${refs.push(ref) - 1}__`);
  const doc = parseDocument(safe, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ValidationError(
      `config file ${file}`,
      doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}` : '', message: e.message.split('\n')[0]! })),
    );
  }
  return restore(doc.toJS(), refs);
}

function restore(value: unknown, refs: string[]): unknown {
  if (typeof value === 'string') return value.replace(/__rewardgate_env_(\d+)__/g, (_, i: string) => refs[Number(i)]!);
  if (Array.isArray(value)) return value.map((v) => restore(v, refs));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [restore(k, refs) as string, restore(v, refs)]));
  }
  return value;
}

function throwIssues(where: string, issues: Array<{ path: string; message: string }>, cause: unknown): never {
  throw new ValidationError(where, issues, { cause });
}
