// POST /api/edge-chat: the same handler on the edge runtime, in front of any OpenAI-compatible
// upstream (UPSTREAM_BASE_URL, UPSTREAM_MODEL, UPSTREAM_API_KEY). rewardgate's core and
// rewardgate/next use only fetch and web streams, so nothing here needs Node.
import { createClient, guardFromFunction, pipeline, safety } from 'rewardgate';
import { createRouteHandler } from 'rewardgate/next';

export const runtime = 'edge';

// A stand-in policy that runs anywhere; swap in nemoguard({ client }) for a hosted guard model.
const noSecrets = guardFromFunction((conversation) => !/password|api key/i.test(conversation.at(-1)?.content ?? ''));

export const POST = createRouteHandler({
  model: () => {
    const client = createClient({ baseURL: process.env.UPSTREAM_BASE_URL ?? 'http://127.0.0.1:8000/v1', apiKey: process.env.UPSTREAM_API_KEY ?? 'none' });
    return pipeline(client.chatModel(process.env.UPSTREAM_MODEL ?? 'meta/llama-3.1-8b-instruct'), [safety({ guard: noSecrets })]);
  },
});
