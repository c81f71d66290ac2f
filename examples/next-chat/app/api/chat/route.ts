// POST /api/chat: the OpenAI chat-completions wire format (JSON or SSE) through the guarded model.
import { createRouteHandler } from 'rewardgate/next';
import { guardedModel } from '../../../lib/guarded-model';

// onnxruntime-node is a native addon: this route runs on the Node.js runtime. A route whose
// model calls a hosted endpoint (createClient / fromOpenAI) can use runtime = 'edge' unchanged.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = createRouteHandler({
  model: guardedModel,
  // The tiny demo models were trained on single questions: send them the latest turn only.
  // With a real model, drop this and the whole conversation goes through.
  prepare: (request) => ({ ...request, messages: request.messages.slice(-1) }),
});
