import { buildFromConfig } from '../../config/build.js';
import type { GuardConfigInput } from '../../config/schema.js';
import type { Command } from '../command.js';
import { DEMO_PROMPTS, nimDemoConfig, offlineDemoConfig } from '../demo-config.js';
import { rejectionTracker, renderRun } from '../demo-render.js';
import { findDemoModels } from '../find-models.js';
import { deviceFlag, intFlag, parseFlags } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

const help = `Usage: rewardgate demo [--nim] [options]

Runs the whole guardrail pipeline on a few helpful and harmful prompts and prints, for each,
every candidate answer with its reward score and safety verdict, and the answer chosen:

  safety (input rail) -> scoreThreshold -> bestOfN -> safety (output rail, per candidate) -> model

Offline (default): tiny-chat samples the answers, tiny-reward ranks them and sets the bar,
tiny-guard judges prompts and answers. No network, no GPU needed.
With --nim: the same pipeline on hosted NIM models (meta/llama-3.1-8b-instruct,
nvidia/llama-3.1-nemotron-70b-reward, nvidia/llama-3.1-nemoguard-8b-content-safety);
needs NVIDIA_API_KEY (NIM_BASE_URL points it at a self-hosted NIM serving all three).

Options:
  --nim                 use hosted NVIDIA NIM models instead of the local ones
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
      nim: { type: 'boolean' }, candidates: { type: 'string', short: 'n' }, seed: { type: 'string' },
      prompt: { type: 'string', multiple: true }, models: { type: 'string' }, device: { type: 'string' }, 'skip-input-rail': { type: 'boolean' },
    }, 'demo');
    if (values.help) return io.stdout.write(`${help}\n`), 0;
    if (positionals.length) throw new UsageError(`demo: unexpected argument "${positionals[0]}"`);
    const n = intFlag(values.candidates, 'candidates', 4, 1);
    if (n < 1 || n > 16) throw new UsageError('--candidates must be between 1 and 16');
    const seed = values.seed === undefined ? undefined : intFlag(values.seed, 'seed', 0);
    const prompts = values.prompt?.length ? values.prompt : DEMO_PROMPTS;

    let config: GuardConfigInput;
    let source: string;
    if (values.nim) {
      const key = io.env.NVIDIA_API_KEY;
      if (!key) throw new UsageError('--nim needs NVIDIA_API_KEY in the environment');
      config = nimDemoConfig(key, n, !values['skip-input-rail'], io.env.NIM_BASE_URL || undefined);
      source = io.env.NIM_BASE_URL ? `NIM at ${io.env.NIM_BASE_URL}` : 'hosted NVIDIA NIM';
    } else {
      const models = findDemoModels(values.models, io.env);
      if (!models) throw new UsageError(`cannot find tiny-chat, tiny-reward and tiny-guard${values.models ? ` in ${values.models}` : ''}; pass --models <dir>`);
      config = offlineDemoConfig(models, n, deviceFlag(values.device) ?? 'cpu', !values['skip-input-rail']);
      source = `local ONNX models (${models['tiny-chat'].replace(/[/\\]tiny-chat$/, '')})`;
    }
    const width = Math.max(80, Math.min(160, (io.stdout as { columns?: number }).columns ?? 110));
    const tracker = { current: rejectionTracker() };
    const built = await buildFromConfig(config, { onEvent: (e) => tracker.current.onEvent(e) });
    try {
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
