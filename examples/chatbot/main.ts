// A terminal chatbot with guardrails: every answer is the best of four samples (reward model),
// must clear a score bar, and passes a safety guard on the way in and out. Answers stream as they
// are released; a line under each says what the pipeline decided.
//
//   npm run build && npx tsx examples/chatbot/main.ts
import { createInterface } from 'node:readline/promises';
import { bestOfN, pipeline, safety, scoreThreshold, type Message, type Report } from 'rewardgate';
import { loadExampleModels } from '../shared/models.js';

const models = await loadExampleModels();
const guarded = pipeline(models.chat, [
  safety({ guard: models.guard }),
  scoreThreshold({ scorer: models.scorer, min: 0, maxAttempts: 2, onReject: 'best' }),
  bestOfN({ n: 4, scorer: models.scorer }),
]);

const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
const history: Message[] = [];
console.log(`rewardgate chatbot (${models.offline ? 'offline tiny models' : process.env.UPSTREAM_BASE_URL}). Type /quit to leave.`);
let inputEnded = false;
rl.on('close', () => (inputEnded = true));
const prompt = () => {
  if (!inputEnded) rl.prompt();
};
rl.setPrompt('you> ');
prompt();

for await (const line of rl) {
  const question = line.trim();
  if (question === '/quit') break;
  if (!question) {
    prompt();
    continue;
  }
  history.push({ role: 'user', content: question });
  process.stdout.write('bot> ');
  let answer = '';
  let report: Report | undefined;
  let refused = false;
  // The tiny offline model only knows single questions; a real model gets the whole history.
  const messages = models.offline ? history.slice(-1) : history;
  for await (const event of guarded.stream({ messages })) {
    if (event.type === 'text-delta') {
      process.stdout.write(event.text);
      answer += event.text;
    } else if (event.type === 'finish') {
      ({ report, refused } = event.completion);
      answer = event.completion.text;
    }
  }
  history.push({ role: 'assistant', content: answer });
  console.log(`\n     ${describe(report!, refused)}`);
  prompt();
}

rl.close();
await models.close();

function describe(report: Report, refused: boolean): string {
  if (refused) return `[refused: ${report.reasons.map((r) => r.reason).join('; ')}]`;
  const scores = report.candidates.map((c) => c.score?.value.toFixed(2) ?? '-').join(', ');
  return `[best of ${report.candidates.length}: scores ${scores}; chose #${report.chosen}${report.rejected ? '; below the bar' : ''}]`;
}
