import { cachedScorer } from '../../eval/score-cache.js';
import { checkRewardBenchRows, evaluateRewardBench, type AnyRewardBenchResult } from '../../eval/evaluate.js';
import type { Command } from '../command.js';
import { openDiskScoreCache } from '../disk-score-cache.js';
import { atSource, checkOutputs, writeOutputs } from '../eval-output.js';
import { renderRewardBench } from '../eval-render.js';
import { rewardBenchHtml } from '../html-report.js';
import { deviceFlag, intFlag, parseFlags } from '../parse-flags.js';
import { createProgress } from '../progress.js';
import { readRows } from '../read-rows.js';
import { checkScorerList, openScorers } from '../scorer-source.js';
import { UsageError } from '../usage-error.js';
import { omitUndefined } from '../../internal/omit-undefined.js';

const help = `Usage: rewardgate eval <file> (--model <folder> | --nim <model>)... [options]

Scores RewardBench rows with one or more reward models and prints, side by side, the scores the
official code computes. <file> is parquet (as published on Hugging Face) or JSONL; - reads stdin.
  RewardBench 1 (allenai/reward-bench, split "filtered"): prompt, chosen, rejected, subset;
    accuracy per subset, per section (official weights) and overall.
  RewardBench 2 (allenai/reward-bench-2): prompt, chosen (list), rejected (list), num_correct,
    subset, id; best-of-n with 1/k for a k-way tie at the top, the Ties formula, and the
    overall score as the mean of Factuality, Precise IF, Math, Safety, Focus and Ties.
A prompt is a string or a messages array (multi-turn).

Options:
  --model <folder>   a local ONNX reward model folder (repeatable)
  --nim <model>      a NIM reward model (repeatable; NVIDIA_API_KEY, NIM_BASE_URL for a self-hosted NIM)
  --format <f>       rb1 | rb2 (default: from the rows; chosen as a list is rb2)
  --subset <name>    the subset of rows that have none (default "default")
  --device <d>       auto | cpu | cuda | webgpu (local models; default auto)
  --batch <n>        rows per scorer call (default 16)
  --cache <dir>      keep each score on disk, per scorer and conversation; a rerun scores only what is missing
  --json             print one JSON document (one entry per scorer) instead of the table
  --outcomes         with --json: include each row's scores
  --out <file>       write the table or JSON here instead of stdout
  --html <file>      also write a self-contained HTML report (charts, distributions, settings)
  -h, --help         show this help

RewardBench 1 subsets outside the official mapping count towards a section only when named after
it (chat, chat-hard, safety, reasoning); RewardBench 2 subsets other than the six are reported on
their own. Both stay out of the overall score otherwise.`;

/** `rewardgate eval`: RewardBench 1 and 2 scores of reward models, side by side. */
export const evalCommand: Command = {
  name: 'eval',
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      model: { type: 'string', multiple: true }, nim: { type: 'string', multiple: true }, format: { type: 'string' }, subset: { type: 'string' },
      device: { type: 'string' }, batch: { type: 'string' }, cache: { type: 'string' }, json: { type: 'boolean' }, outcomes: { type: 'boolean' }, out: { type: 'string' }, html: { type: 'string' },
    }, 'eval');
    if (values.help) return io.stdout.write(`${help}\n`), 0;
    if (positionals.length !== 1) throw new UsageError('eval: give exactly one RewardBench file (parquet or JSONL; - for stdin)');
    const batchSize = intFlag(values.batch, 'batch', 16, 1);
    const device = deviceFlag(values.device);
    if (values.format !== undefined && values.format !== 'rb1' && values.format !== 'rb2') throw new UsageError(`--format must be rb1 or rb2, got "${values.format}"`);
    if (values.subset !== undefined && values.subset.trim() === '') throw new UsageError('--subset must not be empty');
    const flags = { models: values.model ?? [], nims: values.nim ?? [], device };
    checkScorerList(flags, io.env);
    const outputs = { out: values.out, html: values.html };
    await checkOutputs(outputs);
    const file = positionals[0]!;
    const read = await readRows(file);
    // Every row is checked before any model loads.
    const format = (() => {
      try {
        return checkRewardBenchRows(read.values, (values.format as 'rb1' | 'rb2' | undefined) ?? 'auto', values.subset).format;
      } catch (error) {
        throw atSource(error, read.where);
      }
    })();
    const scorers = await openScorers(flags, io.env);
    const runs: Array<{ name: string; source: string; settings: Record<string, string | number>; result: AnyRewardBenchResult }> = [];
    try {
      for (const s of scorers) {
        const cache = values.cache ? await openDiskScoreCache(values.cache, s.cacheId, s.name) : undefined;
        const progress = createProgress(io.stderr, runs.length || scorers.length > 1 ? `rows (${s.name})` : 'rows');
        try {
          const result = await evaluateRewardBench(read.values, cache ? cachedScorer(s.scorer, cache) : s.scorer, {
            format, batchSize, signal: io.signal, ...omitUndefined({ defaultSubset: values.subset || undefined }),
            onProgress: (done, total) => progress.update(done, total),
          }).catch((error: unknown) => {
            throw atSource(error, read.where);
          });
          runs.push({ name: s.name, source: s.source, settings: cache ? { cache: cache.file, cachedAtStart: cache.loaded } : {}, result });
        } finally {
          progress.done();
        }
      }
    } finally {
      await Promise.allSettled(scorers.map((s) => s.close()));
    }
    const settings = {
      format, rows: read.values.length, input: read.kind, batch: batchSize, device: device ?? 'auto',
      defaultSubset: values.subset ?? 'default', cache: values.cache ?? 'off',
    };
    const json = () => `${JSON.stringify({ format, file, settings, scorers: runs.map(({ result: { outcomes, ...summary }, ...run }) => ({ ...run, ...summary, ...omitUndefined({ outcomes: values.outcomes ? outcomes : undefined }) })) }, null, 2)}\n`;
    const report = values.json ? json() : `${renderRewardBench(runs)}\n`;
    const html = () => rewardBenchHtml({ title: format === 'rb2' ? 'RewardBench 2 evaluation' : 'RewardBench evaluation', file, settings, generatedAt: new Date().toISOString() }, runs);
    await writeOutputs(outputs, report, html, io.stdout);
    return 0;
  },
};
