import { ModelLoadError } from '../errors.js';

/** The parts of onnxruntime-node rewardgate uses (kept structural so the core never imports it). */
export type Ort = typeof import('onnxruntime-node');
export type OrtSession = import('onnxruntime-node').InferenceSession;
export type OrtTensor = import('onnxruntime-node').Tensor;

const INSTALL_HINT =
  'onnxruntime-node is an optional peer dependency of rewardgate/onnx: install it with `npm install onnxruntime-node` ' +
  '(on linux-x64 with internet access this also fetches the CUDA provider libraries).';

const cache = new Map<string, Promise<Ort>>();

/**
 * Imports onnxruntime-node on first use and caches it, so `rewardgate` itself never loads it.
 * `specifier` exists for tests of the missing-package path.
 */
export function loadRuntime(specifier = 'onnxruntime-node'): Promise<Ort> {
  let pending = cache.get(specifier);
  if (!pending) {
    pending = importRuntime(specifier);
    cache.set(specifier, pending);
    // A failed import is not cached: installing the package and retrying should work.
    pending.catch(() => cache.delete(specifier));
  }
  return pending;
}

async function importRuntime(specifier: string): Promise<Ort> {
  let mod: Ort & { default?: Ort };
  try {
    // A literal specifier for the real package, so bundlers (Next.js, webpack) can keep it external.
    mod = (await (specifier === 'onnxruntime-node' ? import('onnxruntime-node') : import(specifier))) as Ort & { default?: Ort };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    const why = missing ? `${specifier} is not installed.` : `${specifier} failed to load: ${(error as Error).message}.`;
    throw new ModelLoadError(`${why} ${INSTALL_HINT}`, { cause: error });
  }
  // CommonJS interop: the namespace may carry the API on `default` only.
  const ort = typeof mod.InferenceSession === 'function' ? mod : mod.default;
  if (!ort || typeof ort.InferenceSession !== 'function') {
    throw new ModelLoadError(`${specifier} does not look like onnxruntime-node (no InferenceSession). ${INSTALL_HINT}`);
  }
  return ort;
}
