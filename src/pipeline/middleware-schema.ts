// Internal: the zod shape of a Middleware, checked when a pipeline is built.
import * as z from 'zod';

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');

export const MiddlewareSchema = z
  .object({
    name: z.string().min(1),
    calls: z.enum(['once', 'many']).optional(),
    fanOut: z.number().int().min(1).max(1024).optional(),
    generate: fn.optional(),
    stream: fn.optional(),
  })
  .loose();

export const ChatModelSchema = z.object({ generate: fn, stream: fn }).loose();

export const PipelineOptionsSchema = z
  .object({
    onEvent: fn.optional(),
    modelName: z.string().min(1).optional(),
  })
  .strict();
