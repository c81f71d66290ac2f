import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from '../command.js';
import { deviceFlag, intFlag, parseFlags } from '../parse-flags.js';
import { createProgress } from '../progress.js';
import { readJsonl } from '../read-jsonl.js';
import { rowConversation } from '../score-rows.js';
import { checkScorerFlags, openScorer } from '../scorer-source.js';
import { UsageError } from '../usage-error.js';

const help = `Usage: rewardgate score <rows.jsonl> (--model <folder> | --nim <model>) [options]

Scores each row with a reward model and writes the same rows with a "score" field (and
"attributes" for multi-attribute models), one JSON object per line, in the input order.
A row is {"messages": [...]} ending with the assistant answer, or {"prompt": "...", "response": "..."}.
Use - to read rows from stdin.

Options:
  --model <folder>   a local ONNX reward model folder
  --nim <model>      a NIM reward model (NVIDIA_API_KEY; NIM_BASE_URL for a self-hosted NIM)
  --device <d>       auto | cpu | cuda | webgpu (local models; default auto)
  --batch <n>        rows per scorer call (default 16)
  --out <file>       write here instead of stdout
  -h, --help         show this help`;

/** `rewardgate score`: JSONL of conversations in, the same rows with scores out. */
export const scoreCommand: Command = {
  name: 'score',
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      model: { type: 'string' }, nim: { type: 'string' }, device: { type: 'string' }, batch: { type: 'string' }, out: { type: 'string' },
    }, 'score');
    if (values.help) return io.stdout.write(`${help}\n`), 0;
    if (positionals.length !== 1) throw new UsageError('score: give exactly one JSONL file (or - for stdin)');
    const batchSize = intFlag(values.batch, 'batch', 16) || 16;
    const device = deviceFlag(values.device);
    checkScorerFlags({ model: values.model, nim: values.nim }, io.env);
    const file = positionals[0]!;
    const records = await readJsonl(file);
    const conversations = records.map((r) => rowConversation(r, file));
    const opened = await openScorer({ model: values.model, nim: values.nim, device }, io.env);
    const out: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : io.stdout;
    const progress = createProgress(io.stderr, 'rows');
    try {
      for (let start = 0; start < records.length; start += batchSize) {
        io.signal.throwIfAborted();
        const scores = await opened.scorer.score(conversations.slice(start, start + batchSize), { signal: io.signal });
        let text = '';
        scores.forEach((score, i) => {
          const row = records[start + i]!.value as Record<string, unknown>;
          text += `${JSON.stringify({ ...row, score: score.value, ...(score.attributes ? { attributes: score.attributes } : {}) })}\n`;
        });
        if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
        progress.update(Math.min(start + batchSize, records.length), records.length);
      }
    } finally {
      progress.done();
      await opened.close();
      if (values.out) {
        out.end();
        await finished(out);
      }
    }
    return 0;
  },
};
