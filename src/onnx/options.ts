import { z } from 'zod';

/** Zod pieces shared by the loaders' option schemas. */
export const DeviceSchema = z.enum(['auto', 'cuda', 'webgpu', 'cpu']);
export const TruncationSchema = z.enum(['error', 'oldest-turns']);

export const ClassifierOptionsSchema = z.object({
  path: z.string().min(1),
  device: DeviceSchema.default('auto'),
  maxLength: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().max(4096).default(16),
  maxWaitMs: z.number().min(0).max(60_000).default(2),
  truncation: TruncationSchema.default('error'),
});
