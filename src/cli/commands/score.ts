import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { ValidationError } from '../../errors.js';
import type { Command } from '../command.js';
import { deviceFlag, intFlag, parseFlags } from '../parse-flags.js';
import { createProgress } from '../progress.js';
import { readJsonl, type JsonlRecord } from '../read-jsonl.js';
import { rowConversation } from '../score-rows.js';
import { checkScorerFlags, openScorer } from '../scorer-source.js';
import { UsageError } from '../usage-error.js';
import { omitUndefined } from '../../internal/omit-undefined.js';

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
    const batchSize = intFlag(values.batch, 'batch', 16, 1);
    const device = deviceFlag(values.device);
    checkScorerFlags({ model: values.model, nim: values.nim }, io.env);
    const file = positionals[0]!;
    const records = await readJsonl(file);
    const conversations = records.map((r) => rowConversation(r, file));
    // Open --out before loading the model: a path that cannot be written fails fast, as a message.
    const outFile = values.out ? await openOut(values.out) : undefined;
    const out: NodeJS.WritableStream = outFile ?? io.stdout;
    let opened;
    try {
      opened = await openScorer({ model: values.model, nim: values.nim, device }, io.env);
    } catch (error) {
      outFile?.destroy();
      throw error;
    }
    const progress = createProgress(io.stderr, 'rows');
    try {
      for (let start = 0; start < records.length; start += batchSize) {
        io.signal.throwIfAborted();
        if (outFile?.errored) throw outFile.errored;
        const scores = await opened.scorer
          .score(conversations.slice(start, start + batchSize), { signal: io.signal })
          .catch((error: unknown) => {
            throw atLine(error, file, records, start);
          });
        let text = '';
        scores.forEach((score, i) => {
          const row = records[start + i]!.value as Record<string, unknown>;
          text += `${JSON.stringify({ ...row, score: score.value, ...omitUndefined({ attributes: score.attributes }) })}\n`;
        });
        // events.once rejects on 'error', so a failing --out (disk full) ends the run instead of hanging it.
        if (!out.write(text)) await once(out, 'drain');
        progress.update(Math.min(start + batchSize, records.length), records.length);
      }
    } finally {
      progress.done();
      await opened.close();
      if (outFile) {
        outFile.end();
        await finished(outFile);
      }
    }
    return 0;
  },
};

// A write stream whose file is open; rejects (and leaves no stream behind) when it cannot be.
async function openOut(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  await once(stream, 'open');
  // A later failure (disk full) is kept in `errored` and thrown by the write loop or `finished`.
  stream.on('error', () => {});
  return stream;
}

// The scorer names a refused conversation by its index in the batch (`[1]...`): name the row's line instead.
function atLine(error: unknown, file: string, records: readonly JsonlRecord[], start: number): unknown {
  if (!(error instanceof ValidationError)) return error;
  const at = /^\[(\d+)\](.*)$/.exec(error.issues[0]?.path ?? '');
  const record = at ? records[start + Number(at[1])] : undefined;
  if (!at || !record) return error;
  const issues = error.issues.flatMap((issue) => {
    const own = /^\[(\d+)\](.*)$/.exec(issue.path);
    return own && own[1] === at[1] ? [{ path: own[2] ? `messages${own[2]}` : '', message: issue.message }] : [];
  });
  return new ValidationError(`${file} line ${record.line}`, issues, { cause: error });
}
