import { ModelLoadError, RewardgateError } from '../errors.js';
import type { Device, DeviceInfo } from './devices.js';
import { openSession } from './devices.js';
import type { ModelFolder } from './model-folder.js';
import { loadRuntime } from './runtime.js';
import { describeSession, floatsOf, makeFeeds, padRight } from './session-io.js';

/** A causal LM without a KV cache: each step runs the whole sequence and returns the last position's logits. */
export interface CausalLMSession extends DeviceInfo {
  nextLogits(ids: readonly number[]): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Opens `folder`'s causal LM on `device`. */
export async function openCausalLM(folder: ModelFolder, device: Device): Promise<CausalLMSession> {
  const ort = await loadRuntime();
  const { session, ...info } = await openSession(ort, folder.modelFile, device);
  let io;
  try {
    io = describeSession(session, folder.modelFile);
  } catch (error) {
    await session.release();
    throw error;
  }
  let closed = false;
  // Releasing twice throws in onnxruntime: a second close() gets the first one's promise.
  let released: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  return {
    ...info,
    async nextLogits(ids) {
      if (closed) throw new RewardgateError('The model was closed');
      const run = session.run(makeFeeds(ort, io, padRight([ids], 0)));
      inFlight.add(run);
      const outputs = await run.finally(() => inFlight.delete(run));
      const logits = outputs[io.output]!;
      const dims = logits.dims;
      const data = floatsOf(logits);
      for (const t of Object.values(outputs)) (t as { dispose?: () => void }).dispose?.();
      // [1, sequence, vocab] is the plain export; [1, vocab] an export that keeps only the last position.
      if (dims.length === 3 && dims[0] === 1 && dims[1] === ids.length) return data.slice((ids.length - 1) * dims[2]!);
      if (dims.length === 2 && dims[0] === 1) return data;
      throw new ModelLoadError(`${folder.modelFile}: output ${io.output} has shape [${dims.join(', ')}]; expected [1, ${ids.length}, vocab]`, {
        file: folder.modelFile,
      });
    },
    close() {
      closed = true;
      released ??= (async () => {
        // Steps already running finish first: releasing a session under a run is not allowed.
        await Promise.allSettled([...inFlight]);
        await session.release();
      })();
      return released;
    },
  };
}
