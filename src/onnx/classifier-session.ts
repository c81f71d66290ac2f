import { ModelLoadError } from '../errors.js';
import type { Device, DeviceInfo, SessionTuning } from './devices.js';
import { openSession } from './devices.js';
import type { ModelFolder } from './model-folder.js';
import { loadRuntime, type Ort, type OrtSession } from './runtime.js';
import { classifierFeeds, describeClassifier, type ClassifierInputs } from './classifier-inputs.js';
import { floatsOf, padRight } from './session-io.js';

/** How much work a session did. */
export interface RunStats {
  runs: number;
  sequences: number;
}

/** A sequence-classification session: token sequences in, one logits row per sequence out. */
export interface ClassifierSession extends DeviceInfo {
  readonly labels: number;
  /** Model runs and sequences run so far (batching makes runs fewer than sequences). */
  stats(): RunStats;
  /** Runs one padded batch; returns each sequence's logits. */
  run(sequences: readonly (readonly number[])[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/**
 * Opens `folder`'s model on `device`; one run over `[probeId]` (when given) warms it and checks that its
 * logits have `labels` columns, so a mismatch fails at load rather than on the first call.
 */
export async function openClassifier(
  folder: ModelFolder,
  device: Device,
  labels: number,
  padId: number,
  probeId: number | undefined,
  tuning?: SessionTuning,
): Promise<ClassifierSession> {
  const ort = await loadRuntime();
  const opened = await openSession(ort, folder.modelFile, device, tuning);
  let io: ClassifierInputs;
  try {
    io = describeClassifier(opened.session, folder.modelFile);
    if (probeId !== undefined) await runBatch(ort, opened.session, io, [[probeId]], labels, padId, folder.modelFile);
  } catch (error) {
    await opened.session.release();
    throw error;
  }
  const { session, ...info } = opened;
  const stats: RunStats = { runs: 0, sequences: 0 };
  // Releasing twice throws in onnxruntime: a second close() gets the first one's promise.
  let released: Promise<void> | undefined;
  return {
    ...info,
    labels,
    stats: () => ({ ...stats }),
    run: (sequences) => {
      stats.runs++;
      stats.sequences += sequences.length;
      return runBatch(ort, session, io, sequences, labels, padId, folder.modelFile);
    },
    close: () => (released ??= session.release()),
  };
}

async function runBatch(
  ort: Ort,
  session: OrtSession,
  io: ClassifierInputs,
  sequences: readonly (readonly number[])[],
  labels: number,
  padId: number,
  file: string,
): Promise<Float32Array[]> {
  const batch = padRight(sequences, padId);
  const outputs = await session.run(classifierFeeds(ort, io, batch));
  const logits = outputs[io.output]!;
  try {
    const data = floatsOf(logits);
    const dims = logits.dims;
    // [batch, labels]: the export pools the last non-pad token itself (transformers does).
    if (dims.length === 2 && dims[0] === batch.rows && dims[1] === labels) {
      return sequences.map((_, r) => data.slice(r * labels, (r + 1) * labels));
    }
    // [batch, sequence, labels]: per-token logits; pool the last real token here.
    if (dims.length === 3 && dims[0] === batch.rows && dims[1] === batch.width && dims[2] === labels) {
      return sequences.map((_, r) => {
        const at = (r * batch.width + batch.last[r]!) * labels;
        return data.slice(at, at + labels);
      });
    }
    throw new ModelLoadError(
      `${file}: output ${io.output} has shape [${dims.join(', ')}]; expected [${batch.rows}, ${labels}] or [${batch.rows}, ${batch.width}, ${labels}] (labels from config.json id2label)`,
      { file },
    );
  } finally {
    for (const t of Object.values(outputs)) (t as { dispose?: () => void }).dispose?.();
  }
}
