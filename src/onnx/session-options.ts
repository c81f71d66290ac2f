import * as z from 'zod';

/**
 * onnxruntime session settings a loader passes through: threads and graph optimisation.
 *
 * @example
 * await loadChatModel({ path, session: { intraOpNumThreads: 4, graphOptimizationLevel: 'all' } });
 */
export interface SessionOptions {
  /** Threads inside one operator (onnxruntime's default: one per physical core). */
  intraOpNumThreads?: number;
  /** Threads running independent operators in parallel. */
  interOpNumThreads?: number;
  /** Default `'all'`. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export const SessionOptionsSchema = z.strictObject({
  intraOpNumThreads: z.number().int().min(0).max(1024).optional(),
  interOpNumThreads: z.number().int().min(0).max(1024).optional(),
  graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).optional(),
});
