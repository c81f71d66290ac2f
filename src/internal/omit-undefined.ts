// Internal: objects that leave out what is not set, instead of `...(x ? { x } : {})` at every
// optional key. JSON bodies and reports then carry no `undefined` keys, and an option left out
// stays out (a callee's default applies).

/** `T` with the keys that may be `undefined` made optional, and never `undefined` when present. */
export type OmitUndefined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/**
 * A copy of `fields` without the keys whose value is `undefined`, in the same order. A condition
 * other than "is set" goes into the value: `{ toolCalls: calls.length ? calls : undefined }`.
 *
 * @example
 * omitUndefined({ messages, model, max_tokens: 20 }); // no `model` key when model is undefined
 */
export function omitUndefined<T extends object>(fields: T): OmitUndefined<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as OmitUndefined<T>;
}
