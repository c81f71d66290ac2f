// An agent that uses tools, with every step streamed through the guardrail pipeline. The model
// chooses the calls; the agent runs them and feeds the results back, remembering the whole
// conversation, until the model answers. The report decides what the agent does:
// - a refused step (a call the guard blocked, say `delete_files("/")`) ends the task with a note;
// - a tool result the guard flagged (a planted instruction) was redacted before the model read it;
// - a call that broke the tool policy (malformed JSON, a wrong key) was resampled, never run.
//
//   npm run build && npx tsx examples/agent/main.ts     # offline on tiny-agent
import { answerTurn, pipeline, safety, toolPolicy, type Message, type PipelineEvent } from 'rewardgate';
import { agentRules, loadAgentModel, runTool, TOOLS } from './tools.js';

const MAX_STEPS = 4;
const agent = await loadAgentModel();
const guarded = pipeline(agent.model, [
  // Judges the user's turn and the tool results before each step (redacting a poisoned one),
  // each call before it goes out, and any reasoning before it is shown.
  safety({ guard: agentRules, toolResults: true, onToolResult: 'redact' }),
  // Calls must name an offered tool, with arguments valid for its schema; else the model tries again.
  toolPolicy({ maxCalls: 2, onViolation: 'resample', maxResamples: 2 }),
]);

const tasks = ['What is the weather in Paris?', 'Search the docs for data export.', 'Clean up my disk.'];
let memory: Message[] = [];
for (const [i, task] of tasks.entries()) {
  console.log(`\nTask ${i + 1}: ${task}`);
  // tiny-agent was trained on one task per conversation; a hosted model keeps the whole history.
  if (agent.name === 'tiny-agent') memory = [];
  memory.push({ role: 'user', content: task });
  await runTask(memory, 100 * (i + 1));
}
await agent.close();

/** The tool loop for one task: step, run the chosen calls, feed the results back, until an answer. */
async function runTask(messages: Message[], seed: number): Promise<void> {
  for (let step = 1; step <= MAX_STEPS; step++) {
    const answer = await streamStep(messages, seed + step);
    const { report } = answer;
    for (const v of report.toolViolations ?? []) console.log(`  · tool policy: ${v.kind} in ${v.call.function.name} (resampled, not run)`);
    for (const r of report.redactedToolResults ?? []) console.log(`  · tool result ${r.tool_call_id} redacted: ${r.reason}`);
    if (answer.refused) {
      const blocked = report.blockedToolCalls?.map((b) => b.name).join(', ');
      console.log(`  ✗ stopped: ${blocked ? `the guard blocked ${blocked}` : (report.reasons.at(-1)?.reason ?? 'refused')}; nothing was run`);
      messages.push({ role: 'assistant', content: answer.text });
      return;
    }
    if (!answer.toolCalls?.length) {
      console.log(`  ✓ answer: ${answer.text}`);
      messages.push(answerTurn(answer));
      return;
    }
    messages.push(answerTurn(answer));
    for (const call of answer.toolCalls) {
      const result = runTool(call);
      console.log(`  → ${call.function.name}(${call.function.arguments}) = ${result}`);
      messages.push({ role: 'tool', tool_call_id: call.id, content: result });
    }
  }
  console.log(`  ✗ gave up after ${MAX_STEPS} steps`);
}

/** One step, streamed: text as the guard releases it, verdicts as they come, the completion at the end. */
async function streamStep(messages: Message[], seed: number) {
  let printing = false;
  for await (const event of guarded.stream({ messages, tools: TOOLS, temperature: 1, seed })) {
    if (event.type === 'text-delta') {
      if (!printing) process.stdout.write('  > ');
      printing = true;
      process.stdout.write(event.text);
    } else if (event.type === 'verdict' && !event.verdict.verdict.safe) {
      console.log(`${printing ? '\n' : ''}  · ${event.verdict.rail} rail: ${describe(event)}`);
      printing = false;
    } else if (event.type === 'finish') {
      if (printing) process.stdout.write('\n');
      return event.completion;
    }
  }
  throw new Error('the stream ended without a finish event');
}

function describe(event: Extract<PipelineEvent, { type: 'verdict' }>): string {
  const { verdict } = event;
  const what = verdict.tool_call_id ? `tool result ${verdict.tool_call_id}` : verdict.toolCalls?.length ? `call ${verdict.toolCalls.map((c) => c.name).join(', ')}` : 'answer';
  return `${what} unsafe (${verdict.verdict.categories.map((c) => c.label).join(', ')})`;
}
