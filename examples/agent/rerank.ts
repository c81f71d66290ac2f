// An agent whose every assistant turn goes through a streaming rerank: speculativeBestOfN starts
// eight candidates, scores their partial answers with the reward model every few tokens, stops
// the weakest half at each checkpoint, and streams the last one live. The agent prints the
// pruning as it happens, then acts on the report (tokens spent against full best-of-n).
//
//   npm run build && npx tsx examples/agent/rerank.ts
import { pipeline, RewardgateError, speculativeBestOfN, type Message } from 'rewardgate';
import { loadExampleModels } from '../shared/models.js';

const TURN_DEADLINE_MS = Number(process.env.STEP_DEADLINE_MS ?? 30_000);
const models = await loadExampleModels();
// Hosted models write longer answers: check less often there.
const checkpoints = { everyTokens: models.offline ? 8 : 32 };
const reranked = pipeline(models.chat, [speculativeBestOfN({ n: 8, scorer: models.scorer, checkpoints, sampling: { temperature: 1 } })]);

const steps = ['How do I bake bread?', 'Give me tips to save money.', 'Can you explain how to grow tomatoes?'];
const history: Message[] = [{ role: 'system', content: 'You are a helpful assistant. Answer briefly.' }];
let spent = 0;
let fullEstimate = 0;

for (const [i, question] of steps.entries()) {
  history.push({ role: 'user', content: question });
  console.log(`\nTurn ${i + 1}: ${question}`);
  // tiny-chat was trained on single questions: offline, it sees only the last one.
  const messages = models.offline ? [history.at(-1)!] : history;
  const signal = AbortSignal.timeout(TURN_DEADLINE_MS);
  try {
    let answering = false;
    for await (const event of reranked.stream({ messages }, { signal })) {
      if (event.type === 'checkpoint') {
        const left = event.kept.map((s) => `#${s}`).join(' ');
        console.log(`  · checkpoint ${event.checkpoint} at ${event.at} tokens: ${event.error ? `scorer failed, kept all` : `kept ${left}`}`);
      } else if (event.type === 'pruned') {
        console.log(`    stopped #${event.sample} (score ${event.score.value.toFixed(2)} after ${event.tokens} tokens)`);
      } else if (event.type === 'text-delta') {
        if (!answering) process.stdout.write('  > ');
        answering = true;
        process.stdout.write(event.text);
      } else if (event.type === 'finish') {
        if (answering) process.stdout.write('\n');
        history.push({ role: 'assistant', content: event.completion.text });
        const summary = event.completion.report.speculative?.at(-1);
        if (summary) {
          spent += summary.tokens;
          fullEstimate += summary.fullEstimate;
          console.log(`  = ${summary.tokens} tokens for this turn, ~${summary.fullEstimate} with full best-of-${summary.n}`);
        }
      }
    }
  } catch (error) {
    // A turn past its deadline is cancelled: every candidate still running is stopped.
    if (signal.aborted) console.log(`  ! no answer within ${TURN_DEADLINE_MS} ms, skipping this turn`);
    else if (RewardgateError.isInstance(error)) console.log(`  ! ${error.name}: ${error.message}`);
    else throw error;
    history.pop();
  }
}
console.log(`\nAll turns: ${spent} tokens generated, ~${fullEstimate} with full best-of-8 (${fullEstimate ? (spent / fullEstimate).toFixed(2) : '-'}x).`);
await models.close();
