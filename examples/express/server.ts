// An Express 5 app with a guarded OpenAI-compatible endpoint: POST /v1/chat/completions answers
// JSON or SSE (`stream: true`) from a pipeline, with the report in a `rewardgate` field.
//
//   npm run build && npx tsx examples/express/server.ts      (PORT=3000 by default)
import express from 'express';
import { bestOfN, pipeline, safety } from 'rewardgate';
import { createChatRoute } from 'rewardgate/express';
import { loadExampleModels } from '../shared/models.js';

const models = await loadExampleModels();
const guarded = pipeline(models.chat, [safety({ guard: models.guard }), bestOfN({ n: 4, scorer: models.scorer })]);

const app = express();
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post(
  '/v1/chat/completions',
  createChatRoute({
    model: guarded,
    maxBodyBytes: 256 * 1024,
    // The tiny offline model only knows single questions; a real upstream gets the whole history.
    prepare: models.offline ? (request) => ({ ...request, messages: request.messages.slice(-1) }) : undefined,
    onError: (error) => console.error('chat request failed:', error),
  }),
);

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as { port: number };
  console.log(`Guarded chat on http://127.0.0.1:${bound}/v1/chat/completions`);
});

// Ctrl-C: stop accepting, let in-flight answers finish, release the models.
process.once('SIGINT', () => {
  server.close(() => void models.close());
  server.closeIdleConnections();
});
