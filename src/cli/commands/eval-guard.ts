import { evaluateGuard, type GuardEvalResult } from '../../eval/evaluate-guard.js';
import { labelGuardRow } from '../../eval/guard-row.js';
import type { Command } from '../command.js';
import { atSource, checkOutputs, writeOutputs } from '../eval-output.js';
import { renderGuards } from '../eval-render.js';
import { checkGuardFlags, openGuards } from '../guard-source.js';
import { guardHtml } from '../html-report.js';
import { deviceFlag, intFlag, parseFlags } from '../parse-flags.js';
import { createProgress } from '../progress.js';
import { readRows } from '../read-rows.js';
import { UsageError } from '../usage-error.js';
import { omitUndefined } from '../../internal/omit-undefined.js';

const help = `Usage: rewardgate eval-guard <file> (--guard <folder | name> | --nim <model>)... [options]

Runs one or more guards over labelled rows and prints, side by side, precision, recall, F1 and
false-positive rate (unsafe is positive) overall and per taxonomy category, the latency of each
check, and the confusion of categories. <file> is parquet or JSONL; - reads stdin. Rows:
  prompt (or user_input; a string or a messages array), optional response (or model_output),
  label: safe | unsafe (or 0 / 1; else Aegis 2.0's prompt_label / response_label, or ToxicChat's
  toxicity), optional categories (a list, or Aegis's comma-separated violated_categories).

Options:
  --guard <folder>   a local ONNX safety classifier folder (repeatable)
  --guard <name>     with --config: a guard named in the config file
  --config <file>    a rewardgate config file (JSON or YAML) whose guards --guard may name
  --nim <model>      NemoGuard content safety on NIM (repeatable; NVIDIA_API_KEY, NIM_BASE_URL)
  --target <t>       auto | prompt | response: what the guard judges (default auto: the response
                     when the row has one and a label for it, else the prompt)
  --threshold <p>    unsafe probability for local guards (default 0.5)
  --device <d>       auto | cpu | cuda | webgpu (local guards; default auto)
  --concurrency <n>  checks in flight at once (default 4)
  --json             print one JSON document (one entry per guard) instead of the tables
  --outcomes         with --json: include each row's truth, verdict and latency
  --out <file>       write the tables or JSON here instead of stdout
  --html <file>      also write a self-contained HTML report (bars, confusion matrices, settings)
  -h, --help         show this help`;

/** `rewardgate eval-guard`: detection metrics of guards on labelled rows, side by side. */
export const evalGuardCommand: Command = {
  name: 'eval-guard',
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      guard: { type: 'string', multiple: true }, nim: { type: 'string', multiple: true }, config: { type: 'string' }, target: { type: 'string' },
      threshold: { type: 'string' }, device: { type: 'string' }, concurrency: { type: 'string' }, json: { type: 'boolean' }, outcomes: { type: 'boolean' }, out: { type: 'string' }, html: { type: 'string' },
    }, 'eval-guard');
    if (values.help) return io.stdout.write(`${help}\n`), 0;
    if (positionals.length !== 1) throw new UsageError('eval-guard: give exactly one file of labelled rows (parquet or JSONL; - for stdin)');
    const concurrency = intFlag(values.concurrency, 'concurrency', 4, 1);
    const device = deviceFlag(values.device);
    const target = values.target ?? 'auto';
    if (target !== 'auto' && target !== 'prompt' && target !== 'response') throw new UsageError(`--target must be auto, prompt or response, got "${target}"`);
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) throw new UsageError(`--threshold must be a number in (0, 1], got "${values.threshold}"`);
    const flags = { guards: values.guard ?? [], nims: values.nim ?? [], config: values.config, device, threshold };
    checkGuardFlags(flags, io.env);
    const outputs = { out: values.out, html: values.html };
    await checkOutputs(outputs);
    const file = positionals[0]!;
    const read = await readRows(file);
    // Every row is checked before any guard loads.
    read.values.forEach((value, i) => {
      try {
        labelGuardRow(value, target, `rows[${i}]`);
      } catch (error) {
        throw atSource(error, read.where);
      }
    });
    const guards = await openGuards(flags, io.env);
    const runs: Array<{ name: string; source: string; settings: Record<string, string | number>; result: GuardEvalResult }> = [];
    try {
      for (const g of guards) {
        const progress = createProgress(io.stderr, guards.length > 1 ? `rows (${g.name})` : 'rows');
        try {
          const result = await evaluateGuard(read.values, g.guard, { concurrency, target, signal: io.signal, onProgress: (done, total) => progress.update(done, total) })
            .catch((error: unknown) => {
              throw atSource(error, read.where);
            });
          runs.push({ name: g.name, source: g.source, settings: g.settings, result });
        } finally {
          progress.done();
        }
      }
    } finally {
      await Promise.allSettled(guards.map((g) => g.close()));
    }
    const settings = { rows: read.values.length, input: read.kind, target, concurrency, device: device ?? 'auto', ...omitUndefined({ config: values.config || undefined }) };
    const json = () => `${JSON.stringify({ file, settings, guards: runs.map(({ result: { outcomes, ...summary }, ...run }) => ({ ...run, ...summary, ...omitUndefined({ outcomes: values.outcomes ? outcomes : undefined }) })) }, null, 2)}\n`;
    const report = values.json ? json() : `${renderGuards(runs)}\n`;
    const html = () => guardHtml({ title: 'Guard evaluation', file, settings, generatedAt: new Date().toISOString() }, runs);
    await writeOutputs(outputs, report, html, io.stdout);
    return 0;
  },
};
