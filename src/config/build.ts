import { ValidationError } from '../errors.js';
import { createClient } from '../client/create-client.js';
import type { ChatModel, Guard, Scorer } from '../interfaces.js';
import { bestOfN } from '../middleware/best-of-n/best-of-n.js';
import { pipeline } from '../pipeline/pipeline.js';
import { safety } from '../middleware/safety/safety.js';
import { scoreThreshold } from '../middleware/score-threshold/score-threshold.js';
import { toolPolicy } from '../middleware/tool-policy/tool-policy.js';
import { speculativeBestOfN } from '../middleware/speculative-best-of-n/speculative-best-of-n.js';
import type { GuardedModel, Middleware, PipelineEvent } from '../pipeline/types.js';
import { nimReward } from '../scorers/nim-reward.js';
import { remoteGuard } from './build-guard.js';
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
      ? onnx().then(async ({ loadChatModel }) => keep(await loadChatModel({ ...config.upstream.onnx! })))
      : Promise.resolve(remoteUpstream(config.upstream, options.fetch));
    const scorerTasks = Object.entries(config.scorers).map(async ([name, s]): Promise<[string, Scorer]> => {
      if (s.onnx) {
        const { loadScorer } = await onnx();
        return [name, keep(await loadScorer({ ...s.onnx }))];
      }
      const nim = s.nim!;
      return [
        name,
        nimReward({
          model: nim.model,
          ...(nim.baseURL ? { baseURL: nim.baseURL } : {}),
          ...(nim.apiKey ? { apiKey: nim.apiKey.reveal() } : {}),
          ...(nim.weights ? { weights: nim.weights } : {}),
        }),
      ];
    });
    const guardTasks = Object.entries(config.guards).map(async ([name, g]): Promise<[string, Guard]> => {
      if (g.onnx) {
        const { loadGuard } = await onnx();
        return [name, keep(await loadGuard({ ...g.onnx }))];
      }
      return [name, remoteGuard(g)];
    });
    // Wait for every load, failed or not: a model still loading when another fails must be closed too.
    await Promise.allSettled([upstreamTask, ...scorerTasks, ...guardTasks]);
    const [upstream, scorerList, guardList] = await Promise.all([upstreamTask, Promise.all(scorerTasks), Promise.all(guardTasks)]);
    const scorers = Object.fromEntries(scorerList);
    const guards = Object.fromEntries(guardList);
    const servedScorers: Record<string, Scorer> = { ...scorers };
    for (const [name, s] of Object.entries(config.scorers)) if (s.serveAs) servedScorers[s.serveAs] = scorers[name]!;
    const middleware = config.pipeline.map((step, i) => atPath(`pipeline[${i}].${Object.keys(step)[0]}`, () => toMiddleware(step, scorers, guards)));
    const model = pipeline(upstream, middleware, {
      ...(config.upstream.model ? { modelName: config.upstream.model } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    return { model, upstream, scorers, guards, servedScorers, close: () => closeAll(opened) };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

function remoteUpstream(upstream: GuardConfigFile['upstream'], fetch: typeof globalThis.fetch | undefined): ChatModel {
  const { baseURL, apiKey, timeouts, maxRetries, model } = upstream;
  return createClient({
    baseURL,
    ...(fetch ? { fetch } : {}),
    ...(apiKey ? { apiKey: apiKey.reveal() } : {}),
    ...(timeouts ? { timeouts } : {}),
    ...(maxRetries !== undefined ? { maxRetries } : {}),
  }).chatModel(model);
}

// Names were checked by the schema, so the lookups cannot miss.
function toMiddleware(step: GuardConfigFile['pipeline'][number], scorers: Record<string, Scorer>, guards: Record<string, Guard>): Middleware {
  if (step.safety) {
    const { guard, ...rest } = step.safety;
    return safety({ ...rest, guard: guards[guard]! });
  }
  if (step.bestOfN) {
    const { scorer, ...rest } = step.bestOfN;
    return bestOfN({ ...rest, scorer: scorers[scorer]! });
  }
  if (step.speculativeBestOfN) {
    const { scorer, ...rest } = step.speculativeBestOfN;
    return speculativeBestOfN({ ...rest, scorer: scorers[scorer]! });
  }
  if (step.toolPolicy) return toolPolicy(step.toolPolicy);
  const { scorer, ...rest } = step.scoreThreshold!;
  return scoreThreshold({ ...rest, scorer: scorers[scorer]! });
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
