// The models behind the examples. Offline by default: the repo's tiny fixture models run in
// process (tiny-chat writes, tiny-reward scores, tiny-guard judges safety). Set UPSTREAM_BASE_URL
// (and UPSTREAM_MODEL, UPSTREAM_API_KEY) to generate with any OpenAI-compatible server instead
// (NIM, vLLM, OpenAI); scoring and guarding stay local.
import { fileURLToPath } from 'node:url';
import { createClient, type ChatModel, type Guard, type Scorer } from 'rewardgate';
import { loadChatModel, loadGuard, loadScorer } from 'rewardgate/onnx';

export interface ExampleModels {
  chat: ChatModel;
  scorer: Scorer;
  guard: Guard;
  /** True when tiny-chat generates (it was trained on single questions, so send only the last turn). */
  offline: boolean;
  close(): Promise<void>;
}

const fixtures = process.env.REWARDGATE_MODELS ?? fileURLToPath(new URL('../../test/fixtures/models/', import.meta.url));
const at = (name: string) => `${fixtures.replace(/\/$/, '')}/${name}`;

/** Loads the scorer and guard locally, and the chat model locally or from UPSTREAM_BASE_URL. */
export async function loadExampleModels(): Promise<ExampleModels> {
  const upstream = process.env.UPSTREAM_BASE_URL;
  const [scorer, guard, local] = await Promise.all([
    loadScorer({ path: at('tiny-reward'), device: 'cpu' }),
    loadGuard({ path: at('tiny-guard'), device: 'cpu' }),
    upstream ? undefined : loadChatModel({ path: at('tiny-chat'), device: 'cpu' }),
  ]);
  const chat = local ?? createClient({ baseURL: upstream, apiKey: process.env.UPSTREAM_API_KEY ?? process.env.NVIDIA_API_KEY ?? 'none' }).chatModel(process.env.UPSTREAM_MODEL ?? 'meta/llama-3.1-8b-instruct');
  return {
    chat,
    scorer,
    guard,
    offline: local !== undefined,
    async close() {
      await Promise.all([scorer.close(), guard.close(), local?.close()]);
    },
  };
}
