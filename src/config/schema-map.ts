// Internal: rewrites of zod schemas the config layer makes from the code's option schemas.
import * as z from 'zod/mini';

type Schema = z.core.$ZodType;
type Visit = (schema: Schema) => Schema | undefined;

/**
 * A copy of `schema` with every node passed through `visit` (children first); `visit` returns a
 * replacement or undefined to keep the node. Checks (refinements) stay on the nodes that carry
 * them. Lazy schemas are left as they are.
 */
export function mapSchema<T extends Schema>(schema: T, visit: Visit): T {
  const walk = (s: Schema): Schema => {
    const def = s._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    const changes: Record<string, unknown> = {};
    const one = (key: string) => {
      const child = def[key] as Schema | undefined;
      const next = child && walk(child);
      if (next !== child) changes[key] = next;
    };
    const many = <V>(key: string, values: Array<[V, Schema]>, rebuild: (pairs: Array<[V, Schema]>) => unknown) => {
      const next = values.map(([k, v]): [V, Schema] => [k, walk(v)]);
      if (next.some(([, v], i) => v !== values[i]![1])) changes[key] = rebuild(next);
    };
    switch (def.type) {
      case 'object':
        many('shape', Object.entries((s as z.ZodMiniObject).shape), (pairs) => Object.fromEntries(pairs));
        one('catchall');
        break;
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        one('innerType');
        break;
      case 'array':
        one('element');
        break;
      case 'record':
        one('valueType');
        break;
      case 'union':
        many('options', (def.options as Schema[]).map((o, i): [number, Schema] => [i, o]), (pairs) => pairs.map(([, o]) => o));
        break;
      case 'intersection':
        one('left');
        one('right');
        break;
      // A pipe's input is what the file holds; its output is the code's business.
      case 'pipe':
        one('in');
        break;
    }
    const copy = Object.keys(changes).length ? z.core.clone(s, z.core.util.mergeDefs(def, changes) as z.core.$ZodTypeDef) : s;
    return visit(copy) ?? copy;
  };
  return walk(schema) as T;
}

/**
 * The schema without its defaults: a config entry holds what the file says, and the factory it
 * is handed to fills in the rest.
 */
export function withoutDefaults<T extends Schema>(schema: T): T {
  return mapSchema(schema, (s) => {
    const def = s._zod.def;
    return def.type === 'default' || def.type === 'prefault' ? z.optional((def as z.core.$ZodDefaultDef).innerType) : undefined;
  });
}

/** The string members of a union option (`string | function` -> `string`): what a file can spell. */
export function withoutFunctions<T extends Schema>(schema: T): T {
  return mapSchema(schema, (s) => {
    const def = s._zod.def;
    if (def.type !== 'union') return undefined;
    const kept = (def as z.core.$ZodUnionDef).options.filter((o) => o._zod.def.type !== 'custom');
    return kept.length === 1 ? kept[0] : z.union(kept as [Schema, Schema, ...Schema[]]);
  });
}

// `${VAR}` values are strings: a number or boolean also takes its spelling ("8080", "0.5", "true").
const fromString = (kind: 'number' | 'boolean') =>
  z.transform((v: unknown) => {
    if (typeof v !== 'string') return v;
    if (kind === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
    const n = v.trim() === '' ? Number.NaN : Number(v);
    return Number.isNaN(n) ? v : n;
  });

/**
 * The schema with every number and boolean (and number / boolean literal) also accepting its
 * string spelling, as `${VAR}` interpolation delivers it. Other strings fail as before.
 */
export function withStringScalars<T extends Schema>(schema: T): T {
  return mapSchema(schema, (s) => {
    const def = s._zod.def;
    if (def.type === 'number' || def.type === 'boolean') return z.pipe(fromString(def.type), s);
    if (def.type === 'literal') {
      const values = (def as z.core.$ZodLiteralDef<z.core.util.Literal>).values;
      const kind = values.every((v) => typeof v === 'number') ? 'number' : values.every((v) => typeof v === 'boolean') ? 'boolean' : undefined;
      return kind ? z.pipe(fromString(kind), s) : undefined;
    }
    return undefined;
  });
}
