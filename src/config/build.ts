import { ValidationError } from '../errors.js';
import { createClient } from '../client/create-client.js';
import type { ChatModel, Guard, Scorer } from '../interfaces.js';
import { pipeline } from '../pipeline/pipeline.js';
import type { GuardedModel, PipelineEvent } from '../pipeline/types.js';
import { buildGuard, buildScorer, buildStep } from './build-parts.js';
import { revealed } from './from-options.js';
import { parseConfig } from './load.js';
import type { GuardConfigFile, GuardConfigInput } from './schema.js';

/** What a config builds: the guarded model, its parts, and how to release local models. */
export interface BuiltPipeline {
  /** The pipeline around the upstream, as configured. */
  model: GuardedModel;
  /** The upstream model alone. */
  upstream: ChatModel;
  scorers: Record<string, Scorer>;
  guards: Record<string, Guard>;
  /** Scorers by every name the proxy answers to (the config key and `serveAs`). */
  servedScorers: Record<string, Scorer>;
  /** Closes the local ONNX sessions it opened. */
  close(): Promise<void>;
}

/** Options of {@link buildFromConfig}. */
export interface BuildOptions {
  /** Every pipeline event of every call (candidates, scores, verdicts, rejections), for logs. */
  onEvent?: (event: PipelineEvent) => void;
  /** The fetch the upstream client uses (the guard proxy passes one that bounds answer sizes). */
  fetch?: typeof globalThis.fetch;
  /** Wraps each built guard before the pipeline gets it, by its config name (the guard proxy times them for /metrics). */
  wrapGuard?: (name: string, guard: Guard) => Guard;
  /** Wraps each built scorer before the pipeline gets it, by its config name. */
  wrapScorer?: (name: string, scorer: Scorer) => Scorer;
}

type Closable = { close(): Promise<void> };

/**
 * Builds the pipeline a config describes: the upstream (an OpenAI-compatible server or a local
 * ONNX chat model), the named scorers and guards, and the middleware in the listed order
 * (first = outermost). Local models load in parallel; onnxruntime is only imported when one is used.
 *
 * @example
 * const { model, close } = await buildFromConfig(await loadConfig('rewardgate.yaml'));
 * const { text, report } = await model.generate({ messages: [{ role: 'user', content: 'Hi' }] });
 * await close();
 */
export async function buildFromConfig(input: GuardConfigFile | GuardConfigInput, options: BuildOptions = {}): Promise<BuiltPipeline> {
  const config = parseConfig(input, {}, 'config');
  const opened: Closable[] = [];
  const onnx = () => import('../onnx/index.js');
  const keep = <T extends Closable>(model: T) => (opened.push(model), model);
  try {
    const upstreamTask: Promise<ChatModel> = config.upstream.onnx
      ? onnx().then(async ({ loadChatModel }) => keep(await loadChatModel(config.upstream.onnx!)))
      : Promise.resolve(remoteUpstream(config.upstream, options.fetch));
    const scorerTasks = Object.entries(config.scorers).map(async ([name, s]): Promise<[string, Scorer]> => [name, await buildScorer(s, keep)]);
    const guardTasks = Object.entries(config.guards).map(async ([name, g]): Promise<[string, Guard]> => [name, await buildGuard(g, keep)]);
    // Wait for every load, failed or not: a model still loading when another fails must be closed too.
    await Promise.allSettled([upstreamTask, ...scorerTasks, ...guardTasks]);
    const [upstream, scorerList, guardList] = await Promise.all([upstreamTask, Promise.all(scorerTasks), Promise.all(guardTasks)]);
    const { wrapScorer, wrapGuard } = options;
    const scorers = Object.fromEntries(wrapScorer ? scorerList.map(([name, s]) => [name, wrapScorer(name, s)]) : scorerList);
    const guards = Object.fromEntries(wrapGuard ? guardList.map(([name, g]) => [name, wrapGuard(name, g)]) : guardList);
    const servedScorers: Record<string, Scorer> = { ...scorers };
    for (const [name, s] of Object.entries(config.scorers)) if (s.serveAs) servedScorers[s.serveAs] = scorers[name]!;
    const middleware = config.pipeline.map((step, i) => atPath(`pipeline[${i}].${Object.keys(step)[0]}`, () => buildStep(step, { scorers, guards })));
    const model = pipeline(upstream, middleware, { modelName: config.upstream.model, onEvent: options.onEvent });
    return { model, upstream, scorers, guards, servedScorers, close: () => closeAll(opened) };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

function remoteUpstream(upstream: GuardConfigFile['upstream'], fetch: typeof globalThis.fetch | undefined): ChatModel {
  const { model, onnx: _local, ...client } = upstream;
  return createClient({ ...revealed(client), fetch }).chatModel(model);
}

// A step's own option checks (failMode with onGuardError...) name the step's path, as the schema's do.
function atPath<T>(path: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    throw new ValidationError('config', error.issues.map((i) => ({ path: i.path ? `${path}.${i.path}` : path, message: i.message })), { cause: error });
  }
}

async function closeAll(models: Closable[]): Promise<void> {
  await Promise.allSettled(models.map((m) => m.close()));
}
