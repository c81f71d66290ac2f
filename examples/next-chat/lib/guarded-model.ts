// The guarded model behind the chat route: three tiny local ONNX models (no network):
// tiny-chat writes four answers, tiny-reward picks the best, tiny-guard refuses harmful prompts.
import { join } from 'node:path';
import { bestOfN, pipeline, safety, scoreThreshold, type GuardedModel } from 'rewardgate';
import { loadChatModel, loadGuard, loadScorer } from 'rewardgate/onnx';

/** Where the model folders are (the repo's fixtures by default). */
const MODELS = process.env.REWARDGATE_MODELS ?? join(process.cwd(), '..', '..', 'test', 'fixtures', 'models');
/** The models are tiny: the CPU is the quickest start (set REWARDGATE_DEVICE=auto to try a GPU). */
const device = (process.env.REWARDGATE_DEVICE ?? 'cpu') as 'cpu' | 'auto';

/** Loads the models once; called on the first request, not at build time. */
export async function guardedModel(): Promise<GuardedModel> {
  const [chat, scorer, guard] = await Promise.all([
    loadChatModel({ path: join(MODELS, 'tiny-chat'), device }),
    loadScorer({ path: join(MODELS, 'tiny-reward'), device }),
    loadGuard({ path: join(MODELS, 'tiny-guard'), device }),
  ]);
  return pipeline(chat, [
    safety({ guard }),
    scoreThreshold({ scorer, min: 0, maxAttempts: 2, onReject: 'best' }),
    bestOfN({ n: 4, scorer }),
  ]);
}
