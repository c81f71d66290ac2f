import { evaluateRewardBench } from '../../eval/evaluate.js';
import { RewardBenchRowSchema } from '../../eval/rewardbench-row.js';
import { REWARDBENCH_SECTIONS } from '../../eval/sections.js';
import { validate } from '../../internal/validate.js';
import type { RewardBenchSummary } from '../../eval/summarize.js';
import type { Command } from '../command.js';
import { deviceFlag, intFlag, parseFlags } from '../parse-flags.js';
import { createProgress } from '../progress.js';
import { readJsonl } from '../read-jsonl.js';
import { checkScorerFlags, openScorer } from '../scorer-source.js';
import { formatTable } from '../table.js';
import { UsageError } from '../usage-error.js';

const help = `Usage: rewardgate eval <rewardbench.jsonl> (--model <folder> | --nim <model>) [options]

Scores RewardBench rows (prompt, chosen, rejected, subset) with a reward model and prints the
accuracy per subset, per section (the official weighting) and overall.

Options:
  --model <folder>   a local ONNX reward model folder
  --nim <model>      a NIM reward model (NVIDIA_API_KEY; NIM_BASE_URL for a self-hosted NIM)
  --device <d>       auto | cpu | cuda | webgpu (local models; default auto)
  --batch <n>        rows per scorer call (default 16)
  --json             print one JSON document instead of the table
  -h, --help         show this help

Subsets outside the official mapping count towards a section only when named after it
(chat, chat-hard, safety, reasoning); others are reported on their own.`;

/** `rewardgate eval`: RewardBench accuracy of any reward model. */
export const evalCommand: Command = {
  name: 'eval',
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      model: { type: 'string' }, nim: { type: 'string' }, device: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' },
    }, 'eval');
    if (values.help) return io.stdout.write(`${help}\n`), 0;
    if (positionals.length !== 1) throw new UsageError('eval: give exactly one RewardBench JSONL file');
    const batchSize = intFlag(values.batch, 'batch', 16, 1);
    const device = deviceFlag(values.device);
    checkScorerFlags({ model: values.model, nim: values.nim }, io.env);
    const records = await readJsonl(positionals[0]!);
    const opened = await openScorer({ model: values.model, nim: values.nim, device }, io.env);
    const progress = createProgress(io.stderr, 'rows');
    try {
      const rows = records.map((r) => validate(RewardBenchRowSchema, r.value, `${positionals[0]} line ${r.line}`));
      const result = await evaluateRewardBench(rows, opened.scorer, {
        batchSize, signal: io.signal, onProgress: (done, total) => progress.update(done, total),
      });
      progress.done();
      const { outcomes: _outcomes, ...summary } = result;
      io.stdout.write(values.json ? `${JSON.stringify({ model: opened.name, ...summary }, null, 2)}\n` : `${renderSummary(summary)}\n`);
      return 0;
    } finally {
      progress.done();
      await opened.close();
    }
  },
};

const pct = (x: number | null | undefined) => (x == null ? '-' : x.toFixed(4));

/** The terminal report: subsets, then sections, then overall. */
export function renderSummary(summary: RewardBenchSummary): string {
  const subsets = formatTable(
    ['Subset', 'Section', 'Rows', 'Correct', 'Accuracy'],
    Object.entries(summary.subsets).map(([name, s]) => [name, s.section ?? '(none)', s.total, s.correct, pct(s.accuracy)]),
    ['left', 'left', 'right', 'right', 'right'],
  );
  const present = REWARDBENCH_SECTIONS.filter((s) => summary.sections[s] !== undefined);
  const sections = formatTable(
    ['Section', 'Score'],
    [...present.map((s) => [s, pct(summary.sections[s])]), ['Overall', `${pct(summary.overall)}`]],
    ['left', 'right'],
  );
  const note = present.length < REWARDBENCH_SECTIONS.length ? `\nOverall is the mean of ${present.length} of ${REWARDBENCH_SECTIONS.length} sections (the others had no rows).` : '';
  return `${subsets}\n\n${sections}${note}\nRows: ${summary.rows.correct}/${summary.rows.total} correct (${pct(summary.rows.accuracy)})`;
}
