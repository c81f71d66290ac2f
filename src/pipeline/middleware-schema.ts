// Internal: the zod shape of a Middleware, checked when a pipeline is built.
import * as z from 'zod/mini';

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');

export const MiddlewareSchema = z.looseObject({
  name: z.string().check(z.minLength(1)),
  calls: z.optional(z.enum(['once', 'many'])),
  fanOut: z.optional(z.int().check(z.minimum(1), z.maximum(1024))),
  generate: z.optional(fn),
  stream: z.optional(fn),
});

export const ChatModelSchema = z.looseObject({ generate: fn, stream: fn });

export const PipelineOptionsSchema = z.strictObject({
  onEvent: z.optional(fn),
  modelName: z.optional(z.string().check(z.minLength(1))),
});
