import { formatPath } from '../errors.js';

/** A key that could rewrite prototypes, or a non-plain object, and where it was. */
export interface ForbiddenValue {
  path: string;
  message: string;
}

// Assigning these keys changes an object's prototype or shadows its methods: never config.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** An `${VAR}` that named an unset variable, and where it was. */
export interface MissingVariable {
  path: string;
  name: string;
  /** True when the variable sat inside a longer string (always an error). */
  embedded: boolean;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed config. Substitution happens
 * after parsing, so a variable's value can never change the file's structure. A string that is
 * only `${VAR}` with VAR unset becomes `undefined` (the key counts as absent, and an optional key
 * such as a loopback token may stay unset); an unset variable inside a longer string is an error.
 */
export function interpolateEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  missing: MissingVariable[] = [],
  path: PropertyKey[] = [],
  forbidden: ForbiddenValue[] = [],
): unknown {
  if (typeof value === 'string') return substitute(value, env, missing, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, missing, [...path, i], forbidden));
  if (isPlainObject(value)) {
    // A null prototype: a `__proto__` key left in would otherwise become the prototype on assignment.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(k)) {
        forbidden.push({ path: formatPath([...path, k]), message: `"${k}" is not allowed as a key` });
        continue;
      }
      const next = interpolateEnv(v, env, missing, [...path, k], forbidden);
      if (next !== undefined) out[k] = next;
    }
    return { ...out };
  }
  // An object with another prototype (`{ __proto__: { host } }` in code) would lend the schema
  // inherited keys: only plain objects, arrays and already-wrapped secrets are config.
  if (typeof value === 'object' && value !== null && !isSecret(value)) {
    forbidden.push({ path: formatPath(path), message: 'must be a plain object (no custom prototype)' });
  }
  return value;
}

function isSecret(value: object): boolean {
  return typeof (value as { reveal?: unknown }).reveal === 'function' && value.constructor?.name === 'Secret';
}

function substitute(text: string, env: Record<string, string | undefined>, missing: MissingVariable[], path: PropertyKey[]): string | undefined {
  const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(text);
  if (whole) {
    const v = env[whole[1]!];
    if (v === undefined || v === '') missing.push({ path: formatPath(path), name: whole[1]!, embedded: false });
    return v === '' ? undefined : v;
  }
  return text.replace(VAR, (match, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing.push({ path: formatPath(path), name, embedded: true });
    return match;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
