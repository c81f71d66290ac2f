import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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

/** One of several scorers to evaluate side by side, and what identifies it in a score cache. */
export interface NamedScorer extends OpenedScorer {
  source: 'onnx' | 'nim';
  /** Changes when the model does (a local folder's model.onnx size and time, a NIM's URL and id). */
  cacheId: string;
}

/**
 * Opens every `--model` folder and `--nim` model (in that order), for side-by-side runs. Nothing is
 * loaded until all flags are checked; if one fails to open, those opened already are closed.
 */
export async function openScorers(flags: { models: string[]; nims: string[]; device?: ScorerFlags['device'] }, env: Record<string, string | undefined>): Promise<NamedScorer[]> {
  checkScorerList(flags, env);
  const opened: NamedScorer[] = [];
  try {
    for (const model of flags.models) {
      const onnx = await stat(join(model, 'model.onnx')).catch(() => undefined);
      const one = await openScorer({ model, device: flags.device }, env);
      opened.push({ ...one, source: 'onnx', cacheId: `onnx:${resolve(model)}:${onnx?.size ?? 0}:${onnx?.mtimeMs ?? 0}` });
    }
    for (const nim of flags.nims) {
      const one = await openScorer({ nim }, env);
      opened.push({ ...one, source: 'nim', cacheId: `nim:${env.NIM_BASE_URL ?? 'https://integrate.api.nvidia.com/v1'}:${nim}` });
    }
    return opened;
  } catch (error) {
    await Promise.allSettled(opened.map((s) => s.close()));
    throw error;
  }
}

/** Usage errors of a scorer list: at least one, no name twice, a key for NIM. */
export function checkScorerList(flags: { models: string[]; nims: string[] }, env: Record<string, string | undefined>): void {
  const names = [...flags.models, ...flags.nims];
  if (names.length === 0) throw new UsageError('give a reward model: --model <folder> or --nim <model> (each may be repeated)');
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`"${twice}" is given twice`);
  if (flags.nims.length && !env.NVIDIA_API_KEY && !env.NIM_BASE_URL) {
    throw new UsageError('--nim needs NVIDIA_API_KEY in the environment (or NIM_BASE_URL for a self-hosted NIM)');
  }
}
