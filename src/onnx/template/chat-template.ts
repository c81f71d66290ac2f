// A chat template compiled once and rendered the way transformers does: Jinja with
// trim_blocks and lstrip_blocks (whitespace.ts), Python semantics (python-interpreter.ts), and
// the globals transformers adds (raise_exception, strftime_now).
import { Environment, type Program, parse, tokenize } from './jinja.js';
import { OUTPUT, PythonInterpreter } from './python-interpreter.js';
import { pyStrftime } from './strftime.js';
import { type RuntimeValue, toRuntime } from './runtime-values.js';
import { applyPythonWhitespace } from './whitespace.js';

/** Thrown when the template calls `raise_exception(message)`: it refuses the conversation. */
export class TemplateRaisedError extends Error {
  override readonly name = 'TemplateRaisedError';
}

type Node = { type: string; [field: string]: any };

const STATEMENTS = new Set(['Program', 'Set', 'If', 'For', 'Break', 'Continue', 'Macro', 'Comment', 'CallStatement', 'FilterStatement']);
const BLOCKS = ['body', 'alternate', 'defaultBlock'] as const;

/** Wraps every expression printed by a block in an OUTPUT node (Python's str() of the value). */
function markOutputs(node: Node): void {
  for (const key of BLOCKS) {
    const block = node[key];
    if (!Array.isArray(block)) continue;
    node[key] = block.map((child: Node) => {
      if (STATEMENTS.has(child.type)) {
        markOutputs(child);
        return child;
      }
      return { type: OUTPUT, expr: child };
    });
  }
}

function pythonRange(...args: number[]): number[] {
  const [start, stop, step] = args.length === 1 ? [0, args[0]!, 1] : [args[0]!, args[1]!, args[2] ?? 1];
  if (step === 0) throw new Error('ValueError: range() arg 3 must not be zero');
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

export class ChatTemplate {
  readonly #program: Program;
  readonly #globals: Map<string, RuntimeValue>;

  /** Parses `source`; throws the parser's error for a template that does not parse. */
  constructor(source: string, options: { now?: () => Date } = {}) {
    // Whitespace is settled by our Python-faithful pass; the library drops one trailing newline
    // itself, so it gets one to drop.
    this.#program = parse(tokenize(`${applyPythonWhitespace(source)}\n`));
    markOutputs(this.#program as unknown as Node);
    const now = options.now ?? (() => new Date());
    // Converted once: every render starts from these.
    this.#globals = new Map(
      Object.entries({
        true: true,
        false: false,
        none: null,
        True: true,
        False: false,
        None: null,
        range: pythonRange,
        raise_exception: (message: unknown) => {
          throw new TemplateRaisedError(String(message));
        },
        strftime_now: (format: string) => pyStrftime(now(), String(format)),
      }).map(([key, value]) => [key, toRuntime(value)]),
    );
  }

  /** Renders with `context` as template variables (messages, add_generation_prompt, bos_token...). */
  render(context: Record<string, unknown>): string {
    const env = new Environment();
    for (const [key, value] of this.#globals) env.variables.set(key, value);
    for (const [key, value] of Object.entries(context)) {
      // A caller's variable may shadow a global (even `namespace`), as in Python.
      if (value !== undefined) env.variables.set(key, toRuntime(value));
    }
    const result = new PythonInterpreter(env).run(this.#program);
    return String(result.value);
  }
}
