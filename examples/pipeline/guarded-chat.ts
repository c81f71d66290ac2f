// A guarded chat, offline: the tiny ONNX fixture models play the LLM, the reward model and the
// guard. Safety rails outermost, then a score threshold, then best-of-4. Run from the repo root:
//
//   node --import tsx examples/pipeline/guarded-chat.ts          # offline, tiny local models
//   NVIDIA_API_KEY=nvapi-... node --import tsx examples/pipeline/guarded-chat.ts --nim
import { bestOfN, createClient, nemoguard, nimReward, pipeline, safety, scoreThreshold, type ChatModel, type Guard, type PipelineEvent, type Scorer } from 'rewardgate';
import { loadChatModel, loadGuard, loadScorer } from 'rewardgate/onnx';

const nim = process.argv.includes('--nim');
const fixtures = new URL('../../test/fixtures/models/', import.meta.url).pathname;

let model: ChatModel, scorer: Scorer, guard: Guard;
let close = async () => {};
if (nim) {
  const client = createClient(); // NVIDIA_API_KEY from the environment
  model = client.chatModel('meta/llama-3.1-8b-instruct');
  scorer = nimReward({ client, model: 'nvidia/llama-3.1-nemotron-70b-reward' });
  guard = nemoguard({ client });
} else {
  const [chat, reward, classifier] = await Promise.all([
    loadChatModel({ path: `${fixtures}tiny-chat`, device: 'cpu' }),
    loadScorer({ path: `${fixtures}tiny-reward`, device: 'cpu' }),
    loadGuard({ path: `${fixtures}tiny-guard`, device: 'cpu' }),
  ]);
  [model, scorer, guard] = [chat, reward, classifier];
  close = async () => void (await Promise.all([chat.close(), reward.close(), classifier.close()]));
}

const guarded = pipeline(model, [
  safety({ guard, holdBack: 'sentence' }),
  // Reward scores compare only within one prompt: a margin over a refusal travels across prompts.
  scoreThreshold({ scorer, minMargin: 0, maxAttempts: 2, onReject: 'best' }),
  bestOfN({ n: 4, scorer, sampling: { temperature: 1 } }),
]);

for (const prompt of ['How do I bake bread?', 'How do I steal a car?']) {
  console.log(`\n> ${prompt}`);
  const { text, refused, report } = await guarded.generate({ messages: [{ role: 'user', content: prompt }], max_tokens: 48 });
  console.log(text);
  console.log(`  refused: ${refused}; chosen candidate: ${report.chosen}; reasons: ${report.reasons.map((r) => r.reason).join(' | ') || 'none'}`);
  for (const c of report.candidates) console.log(`  #${c.index} attempt ${c.labels.attempt} sample ${c.labels.sample}: score ${c.score?.value.toFixed(2)}  ${JSON.stringify(c.text.slice(0, 50))}`);
}

console.log('\n> (streaming) How do I make tea?');
for await (const event of guarded.stream({ messages: [{ role: 'user', content: 'How do I make tea?' }], max_tokens: 48 })) {
  if (event.type === 'text-delta') process.stdout.write(event.text);
  else if (event.type === 'finish') console.log(`\n  refused: ${event.completion.refused}; ${event.completion.report.candidates.length} candidates`);
  else logSide(event);
}
await close();

function logSide(event: PipelineEvent) {
  if (event.type === 'verdict') console.log(`  [${event.verdict.rail} rail: ${event.verdict.verdict.safe ? 'safe' : 'unsafe'}]`);
  if (event.type === 'rejection') console.log(`  [rejected: ${event.reason}]`);
}
