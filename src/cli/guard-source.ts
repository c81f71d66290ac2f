import { existsSync } from 'node:fs';
import type { Guard } from '../interfaces.js';
import type { LoadGuardOptions } from '../onnx/guard.js';
import { UsageError } from './usage-error.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/** A guard the CLI opened, with its name, where it came from, and how to release it. */
export interface OpenedGuard {
  guard: Guard;
  name: string;
  source: 'onnx' | 'nim' | 'config';
  /** The settings it runs with, for the report. */
  settings: Record<string, string | number>;
  close(): Promise<void>;
}

/** The guard flags of `eval-guard`. */
export interface GuardFlags {
  /** Local folders, or names of guards in `config`. */
  guards: string[];
  /** NemoGuard content-safety models on NIM. */
  nims: string[];
  config?: string | undefined;
  device?: 'auto' | 'cpu' | 'cuda' | 'webgpu' | undefined;
  threshold?: number | undefined;
}

/** Usage errors of the guard flags, found before any file is read or model loaded. */
export function checkGuardFlags(flags: GuardFlags, env: Record<string, string | undefined>): void {
  const names = [...flags.guards, ...flags.nims];
  if (names.length === 0) throw new UsageError('give a guard: --guard <folder | config name> or --nim <model> (each may be repeated)');
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`"${twice}" is given twice`);
  if (flags.nims.length && !env.NVIDIA_API_KEY && !env.NIM_BASE_URL) {
    throw new UsageError('--nim needs NVIDIA_API_KEY in the environment (or NIM_BASE_URL for a self-hosted NIM)');
  }
}

/**
 * Opens each guard: `--guard NAME` is a guard of the `--config` file when it names one, else a
 * local ONNX classifier folder (loadGuard); `--nim MODEL` is NemoGuard content safety on NIM.
 * If one fails to open, those opened already are closed.
 */
export async function openGuards(flags: GuardFlags, env: Record<string, string | undefined>): Promise<OpenedGuard[]> {
  checkGuardFlags(flags, env);
  const config = flags.config ? await (await import('../config/load.js')).loadConfig(flags.config, { env }) : undefined;
  const opened: OpenedGuard[] = [];
  try {
    for (const name of flags.guards) {
      const configured = config && Object.hasOwn(config.guards, name) ? config.guards[name]! : undefined;
      if (configured) opened.push(await fromConfig(name, configured, flags));
      else if (existsSync(name)) opened.push(await local(name, name, flags.device, flags.threshold, 'onnx'));
      else throw new UsageError(`--guard ${name}: no such folder${config ? ` and no guard of that name in ${flags.config}` : ' (give --config FILE to use a named guard)'}`);
    }
    for (const model of flags.nims) {
      const { nemoguard } = await import('../guards/nemoguard.js');
      const guard = nemoguard(omitUndefined({ model, apiKey: env.NVIDIA_API_KEY || undefined, baseURL: env.NIM_BASE_URL || undefined }));
      opened.push({ guard, name: model, source: 'nim', settings: { kind: 'nemoguard', model }, close: async () => {} });
    }
    return opened;
  } catch (error) {
    await Promise.allSettled(opened.map((g) => g.close()));
    throw error;
  }
}

async function local(name: string, path: string, device: GuardFlags['device'], threshold: number | undefined, source: OpenedGuard['source'], extra: Partial<LoadGuardOptions> = {}): Promise<OpenedGuard> {
  const { loadGuard } = await import('../onnx/index.js');
  const guard = await loadGuard({ ...extra, path, device: device ?? 'auto', ...omitUndefined({ threshold }) });
  return { guard, name, source, settings: { kind: 'onnx', path, device: guard.device, threshold: threshold ?? 0.5 }, close: () => guard.close() };
}

type ConfiguredGuard = Awaited<ReturnType<typeof import('../config/load.js').loadConfig>>['guards'][string];

async function fromConfig(name: string, g: ConfiguredGuard, flags: GuardFlags): Promise<OpenedGuard> {
  // The file's own ONNX options (dtype, modelFile) apply; --device fills in only what it leaves out.
  if (g.onnx) return local(name, g.onnx.path, g.onnx.device ?? flags.device, flags.threshold, 'config', g.onnx);
  // Every hosted guard kind is built as `serve` builds it, from the same config entry.
  const { buildGuard } = await import('../config/build-parts.js');
  const guard = await buildGuard(g, (model) => model);
  const [kind, remote] = Object.entries(g).find(([, v]) => v !== undefined) as [string, { model?: string; baseURL?: string }];
  return { guard, name, source: 'config', settings: omitUndefined({ kind, model: remote.model, baseURL: remote.baseURL }), close: async () => {} };
}
