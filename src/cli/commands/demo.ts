import { buildFromConfig } from '../../config/build.js';
import type { GuardConfigInput } from '../../config/schema.js';
import type { Command } from '../command.js';
import { DEMO_PROMPTS, nimDemoConfig, offlineDemoConfig } from '../demo-config.js';
import { rejectionTracker, renderRun } from '../demo-render.js';
import { nimRerankConfig, offlineRerankConfig, describeCheckpoints, NIM_RERANK_CHECKPOINTS, RERANK_CHECKPOINTS, streamRerank } from '../demo-rerank.js';
import { findDemoModels } from '../find-models.js';
import { deviceFlag, intFlag, parseFlags } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';
import { AGENT_DEFAULT_SEED, AGENT_TASKS, findTinyAgent, loadAgentDemo, runAgentTask } from '../demo-agent.js';

const help = `Usage: rewardgate demo [--nim] [--rerank] [--agent] [options]

Runs the whole guardrail pipeline on a few helpful and harmful prompts and prints, for each,
every candidate answer with its reward score and safety verdict, and the answer chosen:

  safety (input rail) -> scoreThreshold -> bestOfN -> safety (output rail, per candidate) -> model

Offline (default): tiny-chat samples the answers, tiny-reward ranks them and sets the bar,
tiny-guard judges prompts and answers. No network, no GPU needed.
With --nim: the same pipeline on hosted NIM models (meta/llama-3.1-8b-instruct,
nvidia/llama-3.1-nemotron-70b-reward, nvidia/llama-3.1-nemoguard-8b-content-safety);
needs NVIDIA_API_KEY (NIM_BASE_URL points it at a self-hosted NIM serving all three).
With --agent: an agent loop on tiny-agent (offline): each step through the input and tool-result
rails, best-of-n over tool calls, the output rail and the tool policy on each candidate; it shows
a blocked call, a caught injection and best-of-n picking a valid call over broken ones.
With --rerank: speculative best-of-n instead (speculativeBestOfN): candidates are scored while
they generate, the weakest half is stopped at every checkpoint, and the last one streams live.

Options:
  --nim                 use hosted NVIDIA NIM models instead of the local ones
  --agent               the agent demo (offline; default seed ${AGENT_DEFAULT_SEED})
  --rerank              speculative best-of-n, printing the pruning as it happens (default 8 candidates)
  -n, --candidates <n>  answers sampled per attempt (default 4)
  --seed <n>            sampling seed of every prompt, for a repeatable run (default: random);
                        candidates and retries derive their own seeds from it
  --prompt <text>       use this prompt instead of the built-in ones (repeatable)
  --models <dir>        folder holding tiny-chat, tiny-reward, tiny-guard
                        (default: REWARDGATE_MODELS, then the copy shipped with rewardgate)
  --device <d>          auto | cpu | cuda | webgpu (local models; default cpu)
  --skip-input-rail     let harmful prompts reach the model; the output rail judges each answer
  -h, --help            show this help`;

/** `rewardgate demo`: the pipeline end to end, offline on the fixture models or on NIM. */
export const demoCommand: Command = {
  name: 'demo',
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      nim: { type: 'boolean' }, rerank: { type: 'boolean' }, agent: { type: 'boolean' }, candidates: { type: 'string', short: 'n' }, seed: { type: 'string' },
      prompt: { type: 'string', multiple: true }, models: { type: 'string' }, device: { type: 'string' }, 'skip-input-rail': { type: 'boolean' },
    }, 'demo');
    if (values.help) return io.stdout.write(`${help}\n`), 0;
    if (positionals.length) throw new UsageError(`demo: unexpected argument "${positionals[0]}"`);
    const n = intFlag(values.candidates, 'candidates', values.rerank ? 8 : 4, 1);
    if (n < 1 || n > 16) throw new UsageError('--candidates must be between 1 and 16');
    const seed = values.seed === undefined ? undefined : intFlag(values.seed, 'seed', 0);
    const prompts = values.prompt?.length ? values.prompt : DEMO_PROMPTS;
    if (values.agent) return runAgentDemo(values, n, io);

    let config: GuardConfigInput;
    let source: string;
    if (values.nim) {
      const key = io.env.NVIDIA_API_KEY;
      if (!key) throw new UsageError('--nim needs NVIDIA_API_KEY in the environment');
      config = values.rerank ? nimRerankConfig(key, n, io.env.NIM_BASE_URL || undefined) : nimDemoConfig(key, n, !values['skip-input-rail'], io.env.NIM_BASE_URL || undefined);
      source = io.env.NIM_BASE_URL ? `NIM at ${io.env.NIM_BASE_URL}` : 'hosted NVIDIA NIM';
    } else {
      const models = findDemoModels(values.models, io.env);
      if (!models) throw new UsageError(`cannot find tiny-chat, tiny-reward and tiny-guard${values.models ? ` in ${values.models}` : ''}; pass --models <dir>`);
      const device = deviceFlag(values.device) ?? 'cpu';
      config = values.rerank ? offlineRerankConfig(models, n, device) : offlineDemoConfig(models, n, device, !values['skip-input-rail']);
      source = `local ONNX models (${models['tiny-chat'].replace(/[/\\]tiny-chat$/, '')})`;
    }
    const width = Math.max(80, Math.min(160, (io.stdout as { columns?: number }).columns ?? 110));
    const tracker = { current: rejectionTracker() };
    const built = await buildFromConfig(config, { onEvent: (e) => tracker.current.onEvent(e) });
    try {
      if (values.rerank) {
        io.stdout.write(`rewardgate demo --rerank: ${prompts.length} prompts, ${n} candidates each, on ${source}\n`);
        io.stdout.write(`pipeline: speculativeBestOfN (checkpoints ${describeCheckpoints(values.nim ? NIM_RERANK_CHECKPOINTS : RERANK_CHECKPOINTS)}, keep half) -> model; * = finished\n`);
        for (const [i, prompt] of prompts.entries()) {
          const messages = [{ role: 'user' as const, content: prompt }];
          io.stdout.write(`\n[${i + 1}/${prompts.length}]  ${JSON.stringify(prompt)}\n`);
          await streamRerank(built.model, seed === undefined ? { messages } : { messages, seed }, io.stdout, io.signal);
        }
        return 0;
      }
      io.stdout.write(`rewardgate demo: ${prompts.length} prompts, ${n} candidates each, on ${source}\n`);
      const rails = values['skip-input-rail'] ? '' : 'safety (input) -> ';
      io.stdout.write(`pipeline: ${rails}scoreThreshold -> bestOfN -> safety (output, each candidate) -> model\n`);
      for (const [i, prompt] of prompts.entries()) {
        tracker.current = rejectionTracker();
        const started = performance.now();
        const messages = [{ role: 'user' as const, content: prompt }];
        const request = seed === undefined ? { messages } : { messages, seed };
        const completion = await built.model.generate(request, { signal: io.signal });
        const run = { prompt, completion, rejected: tracker.current.rejected, ms: performance.now() - started };
        io.stdout.write(`\n${renderRun(run, `[${i + 1}/${prompts.length}]`, width)}\n`);
      }
      if (!values['skip-input-rail']) io.stdout.write('\nTip: --skip-input-rail lets harmful prompts reach the model, to watch the output rail block unsafe candidates.\n');
    } finally {
      await built.close();
    }
    return 0;
  },
};

type Io = Parameters<Command['run']>[1];

// `demo --agent`: the agent loop on tiny-agent, task by task (see demo-agent.ts).
async function runAgentDemo(values: { nim?: boolean; rerank?: boolean; seed?: string; prompt?: string[]; models?: string; device?: string }, n: number, io: Io): Promise<number> {
  if (values.nim || values.rerank) throw new UsageError('--agent runs offline on tiny-agent; it does not combine with --nim or --rerank');
  const models = findDemoModels(values.models, io.env);
  const agentPath = models && findTinyAgent(models);
  if (!models || !agentPath) throw new UsageError(`cannot find tiny-agent and tiny-reward${values.models ? ` in ${values.models}` : ''}; pass --models <dir>`);
  const seed = values.seed === undefined ? AGENT_DEFAULT_SEED : intFlag(values.seed, 'seed', 0);
  const tasks = values.prompt?.length ? values.prompt : AGENT_TASKS;
  const width = Math.max(80, Math.min(160, (io.stdout as { columns?: number }).columns ?? 110));
  const demo = await loadAgentDemo(agentPath, models, n, deviceFlag(values.device) ?? 'cpu');
  try {
    io.stdout.write(`rewardgate demo --agent: ${tasks.length} tasks, ${n} candidates per step, seed ${seed}, on tiny-agent (local ONNX)\n`);
    io.stdout.write('pipeline: safety (input, tool results: redact) -> bestOfN -> safety (output, each candidate) -> toolPolicy (each candidate) -> model\n');
    for (const [i, task] of tasks.entries()) {
      io.stdout.write(`\n[${i + 1}/${tasks.length}]  ${JSON.stringify(task)}\n`);
      await runAgentTask(demo.model, task, seed, io.stdout, width, io.signal);
    }
  } finally {
    await demo.close();
  }
  return 0;
}
