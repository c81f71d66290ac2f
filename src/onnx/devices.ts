import { existsSync } from 'node:fs';
import { ModelLoadError } from '../errors.js';
import type { Ort, OrtSession } from './runtime.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/** Where a local model runs. `auto` tries CUDA, then WebGPU, then CPU. */
export type Device = 'auto' | 'cuda' | 'webgpu' | 'cpu';

/** A device that was tried and not used, and why. */
export interface SkippedDevice {
  device: Exclude<Device, 'auto'>;
  reason: string;
}

/** Which device a loaded model runs on, the onnxruntime execution provider, and what was skipped. */
export interface DeviceInfo {
  device: Exclude<Device, 'auto'>;
  provider: string;
  skipped: SkippedDevice[];
}

/** An onnxruntime session and the device it was created on. */
export interface OpenedSession extends DeviceInfo {
  session: OrtSession;
}

const NVIDIA_DRIVER = '/proc/driver/nvidia/version';
const ORDER: ReadonlyArray<Exclude<Device, 'auto'>> = ['cuda', 'webgpu', 'cpu'];
const PROVIDER = { cuda: 'CUDAExecutionProvider', webgpu: 'WebGpuExecutionProvider', cpu: 'CPUExecutionProvider' } as const;

const CUDA_HINT =
  'The CUDA provider libraries (libonnxruntime_providers_cuda.so, libonnxruntime_providers_shared.so) are not bundled ' +
  'in the onnxruntime-node npm package: its install script downloads them on linux-x64. Reinstall with internet access ' +
  '(`npm install onnxruntime-node`, without --onnxruntime-node-install=skip in .npmrc or the environment), and make sure ' +
  'the CUDA 12 runtime and cuDNN 9 are on the library path.';
const WEBGPU_HINT =
  'onnxruntime-node found no WebGPU adapter. On Linux the WebGPU provider runs on Vulkan: install the Vulkan loader ' +
  '(libvulkan1) and the GPU driver\'s Vulkan ICD (for NVIDIA, the driver\'s nvidia_icd.json; set VK_DRIVER_FILES if it is not found).';

/** Session settings: the loaders' `session` option, and what the benchmarks vary. */
export interface SessionTuning {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /** Fixes symbolic dimensions (e.g. `{ batch: 16, sequence: 256 }`) so GPU kernels see static shapes. */
  freeDimensionOverrides?: Record<string, number>;
  /**
   * Where outputs are left on a GPU device (IO binding): `'gpu-buffer'` keeps them on the device,
   * so a KV cache fed back as the next input never crosses to the CPU. Ignored on CPU.
   */
  preferredOutputLocation?: 'cpu' | 'gpu-buffer';
}

/**
 * Creates a session on `device`. For `auto`, tries each device in turn and records why the ones
 * before the winner were skipped; an explicit device that cannot load throws a ModelLoadError.
 */
export async function openSession(
  ort: Ort,
  modelFile: string,
  device: Device,
  options: SessionTuning = {},
): Promise<OpenedSession> {
  const candidates = device === 'auto' ? ORDER : [device];
  const skipped: SkippedDevice[] = [];
  const supported = listBackends(ort);
  for (const candidate of candidates) {
    if (supported && !supported.has(candidate)) {
      skipped.push({ device: candidate, reason: `onnxruntime-node has no ${candidate} provider for ${process.platform}-${process.arch}` });
      continue;
    }
    // Without an NVIDIA driver CUDA cannot work; skipping it spares a noisy native load failure.
    if (device === 'auto' && candidate === 'cuda' && process.platform === 'linux' && !existsSync(NVIDIA_DRIVER)) {
      skipped.push({ device: 'cuda', reason: `no NVIDIA driver (${NVIDIA_DRIVER} is missing)` });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(modelFile, {
        executionProviders: [candidate],
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
        ...omitUndefined({
          intraOpNumThreads: options.intraOpNumThreads,
          interOpNumThreads: options.interOpNumThreads,
          // WebGPU is the provider onnxruntime-node can bind outputs to device buffers for.
          preferredOutputLocation: candidate === 'webgpu' ? options.preferredOutputLocation : undefined,
          freeDimensionOverrides: options.freeDimensionOverrides,
        }),
        // Probing devices that are absent logs native errors; the reason is reported instead.
        logSeverityLevel: device === 'auto' && candidate !== 'cpu' ? 4 : 3,
      });
      return { session, device: candidate, provider: PROVIDER[candidate], skipped };
    } catch (error) {
      const reason = explain(candidate, error);
      if (device !== 'auto' || candidate === 'cpu') {
        throw new ModelLoadError(`Cannot load ${modelFile} on ${candidate}: ${reason}`, { file: modelFile, cause: error });
      }
      skipped.push({ device: candidate, reason });
    }
  }
  throw new ModelLoadError(`No device could load ${modelFile}: ${skipped.map((s) => `${s.device}: ${s.reason}`).join('; ')}`, { file: modelFile });
}

function listBackends(ort: Ort): Set<string> | undefined {
  const list = (ort as { listSupportedBackends?: () => Array<{ name: string }> }).listSupportedBackends?.();
  return list ? new Set(list.map((b) => b.name)) : undefined;
}

/** Turns onnxruntime's native message into a reason a user can act on. */
function explain(device: Exclude<Device, 'auto'>, error: unknown): string {
  const message = firstLine(error);
  if (device === 'cuda' && /shared library|providers_(cuda|shared)|libcu|cudnn/i.test(message)) return `${message}. ${CUDA_HINT}`;
  if (device === 'webgpu' && /adapter/i.test(message)) return `${message}. ${WEBGPU_HINT}`;
  return message;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  // Native messages lead with a source location and an assertion; the useful part comes last.
  const parts = line.split(/ was false\. |\[ONNXRuntimeError\] : \d+ : \w+ : /);
  return (parts[parts.length - 1] ?? line).trim();
}
