// Internal: config-file entries made from the code's option schemas, so that the two never drift.
import * as z from 'zod/mini';
import { Secret } from '../internal/secret.js';
import { withoutDefaults } from './schema-map.js';

type Shape = z.core.$ZodLooseShape;
type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** What an entry changes in the factory's options. */
export interface EntrySpec<S extends Shape, C extends keyof S, R extends Shape> {
  /** Options only code can give (functions, live objects): not in the file. */
  codeOnly: readonly C[];
  /** Options the file spells differently: a scorer or guard by its name, a key as a secret (written optional where the option is). */
  replace?: R;
}

/**
 * The config entry of a factory: its options schema without the code-only keys, with the
 * replaced keys, without defaults (the factory fills them in when the entry is built) and with the
 * schema's own cross-key rules, so a bad value fails at load time with its path in the file.
 */
export function configEntry<S extends Shape, C extends keyof S & string = never, R extends Shape = Record<never, never>>(
  schema: z.ZodMiniObject<S>,
  spec: EntrySpec<S, C, R>,
): z.ZodMiniObject<Flatten<Omit<S, C | keyof R> & R>, z.core.$strict> {
  const replace: Shape = spec.replace ?? {};
  const shape: Shape = {};
  for (const [key, value] of Object.entries(schema.shape)) {
    if ((spec.codeOnly as readonly string[]).includes(key)) {
      // Refused by name, so the error says why rather than "Unrecognized key".
      shape[key] = z.optional(z.custom<never>(() => false, `${key} is an option for code only (a function or a live object): a config file cannot set it`));
      continue;
    }
    shape[key] = Object.hasOwn(replace, key) ? replace[key]! : withoutDefaults(value);
  }
  for (const [key, value] of Object.entries(replace)) if (!Object.hasOwn(shape, key)) shape[key] = value;
  const checks = (schema._zod.def.checks ?? []) as z.core.$ZodCheck<Record<string, unknown>>[];
  const entry = checks.length ? z.strictObject(shape).check(...checks) : z.strictObject(shape);
  origins.set(entry, { options: schema, codeOnly: spec.codeOnly });
  return entry as unknown as z.ZodMiniObject<Flatten<Omit<S, C | keyof R> & R>, z.core.$strict>;
}

/** Where an entry came from: the factory's options schema and the keys it left out. */
export interface EntryOrigin {
  options: z.ZodMiniObject;
  codeOnly: readonly string[];
}

const origins = new WeakMap<object, EntryOrigin>();

/** The origin of an entry made by {@link configEntry} (the option-parity test walks these). */
export function entryOrigin(entry: object): EntryOrigin | undefined {
  return origins.get(entry);
}

/** A name of a scorer or guard configured elsewhere in the file. */
export const name = () => z.string().check(z.minLength(1));

/** A credential: held as a Secret so it never prints; an already-wrapped one passes (a parsed config parses again). */
export const secret = () => z.union([z.pipe(z.string().check(z.minLength(1)), z.transform((s) => new Secret(s))), z.instanceof(Secret)]);

/** Header values are often credentials too. */
export const secretHeaders = () => z.optional(z.record(z.string(), secret()));

/**
 * The factory's options of a parsed entry: every Secret revealed. Done only when the entry is
 * handed to its factory, so a parsed config prints no credential.
 */
export function revealed<T>(value: T): Revealed<T> {
  if (value instanceof Secret) return value.reveal() as Revealed<T>;
  if (Array.isArray(value)) return value.map(revealed) as Revealed<T>;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)])) as Revealed<T>;
  }
  return value as Revealed<T>;
}

/** A parsed entry with its secrets as strings. */
export type Revealed<T> = T extends Secret ? string : T extends readonly unknown[] ? { [K in keyof T]: Revealed<T[K]> } : T extends object ? { [K in keyof T]: Revealed<T[K]> } : T;
