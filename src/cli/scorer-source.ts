import type { Scorer } from '../interfaces.js';
import { UsageError } from './usage-error.js';

/** A scorer the CLI opened, and how to release it. */
export interface OpenedScorer {
  scorer: Scorer;
  /** What to print as the model's name. */
  name: string;
  close(): Promise<void>;
}

/**
 * `--model <folder>` (a local ONNX reward model) or `--nim <model>` (a hosted NIM reward model,
 * key from NVIDIA_API_KEY, base URL from NIM_BASE_URL when set). Exactly one of the two.
 */
export async function openScorer(flags: ScorerFlags, env: Record<string, string | undefined>): Promise<OpenedScorer> {
  checkScorerFlags(flags, env);
  if (flags.model) {
    const { loadScorer } = await import('../onnx/index.js');
    const scorer = await loadScorer({ path: flags.model, device: flags.device ?? 'auto' });
    return { scorer, name: flags.model, close: () => scorer.close() };
  }
  if (flags.nim) {
    const apiKey = env.NVIDIA_API_KEY;
    const { nimReward } = await import('../scorers/nim-reward.js');
    const scorer = nimReward({ model: flags.nim, apiKey, baseURL: env.NIM_BASE_URL });
    return { scorer, name: flags.nim, close: async () => {} };
  }
  throw new UsageError('give a reward model: --model <folder> or --nim <model>');
}

/** The scorer flags. */
export interface ScorerFlags {
  model?: string;
  nim?: string;
  device?: 'auto' | 'cpu' | 'cuda' | 'webgpu';
}

/** Usage errors of the scorer flags, found before any file is read or model loaded. */
export function checkScorerFlags(flags: ScorerFlags, env: Record<string, string | undefined>): void {
  if (flags.model && flags.nim) throw new UsageError('give either --model or --nim, not both');
  if (!flags.model && !flags.nim) throw new UsageError('give a reward model: --model <folder> or --nim <model>');
  if (flags.nim && !env.NVIDIA_API_KEY && !env.NIM_BASE_URL) {
    throw new UsageError('--nim needs NVIDIA_API_KEY in the environment (or NIM_BASE_URL for a self-hosted NIM)');
  }
}
