import * as z from 'zod/mini';

/** onnxruntime session settings a loader passes through: threads and graph optimisation. */
export const SessionOptionsSchema = z.strictObject({
  /** Threads inside one operator (onnxruntime's default: one per physical core). */
  intraOpNumThreads: z.optional(z.int().check(z.minimum(0), z.maximum(1024))),
  /** Threads running independent operators in parallel. */
  interOpNumThreads: z.optional(z.int().check(z.minimum(0), z.maximum(1024))),
  /** Default `'all'`. */
  graphOptimizationLevel: z.optional(z.enum(['disabled', 'basic', 'extended', 'all'])),
});

/**
 * onnxruntime session settings a loader passes through: threads and graph optimisation.
 *
 * @example
 * await loadChatModel({ path, session: { intraOpNumThreads: 4, graphOptimizationLevel: 'all' } });
 * @interface
 */
export type SessionOptions = z.input<typeof SessionOptionsSchema>;
