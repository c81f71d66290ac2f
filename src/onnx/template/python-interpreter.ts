// @huggingface/jinja's Interpreter, corrected to Python (transformers) semantics where chat
// templates notice: str methods, filters, operators, tests, output of values and string loops.
// Only `evaluate` is public, so every correction hooks in there; nodes already evaluated are
// handed back to the library wrapped as EVALUATED, so nothing is evaluated twice.
import { Interpreter, type JinjaEnvironment as Environment } from './jinja.js';
import { applyPythonFilter, hasPythonFilter } from './filters.js';
import { PY_TESTS, pyBinary } from './operators.js';
import { pyStr } from './python-repr.js';
import { pyCharAt } from './python-str.js';
import { ArrayValue, type RuntimeValue, UndefinedValue, bool, fn, pairsAsTuples, str } from './runtime-values.js';
import { stringMethod } from './string-methods.js';

/** Node type of a value that is already evaluated. */
export const EVALUATED = 'rewardgate.Evaluated';
/** Node type wrapped around each `{{ expression }}` so its value prints the Python way. */
export const OUTPUT = 'rewardgate.Output';

// A loose view of the parser's nodes: we read a few fields by name.
type Node = { type: string; [field: string]: any };
type Privates = { evaluateArguments(args: Node[], env: Environment): [RuntimeValue[], Map<string, RuntimeValue>] };

const evaluated = (value: RuntimeValue): Node => ({ type: EVALUATED, value });

const callFn = (f: RuntimeValue, args: RuntimeValue[], env: Environment) =>
  (f.value as (args: RuntimeValue[], env: Environment) => RuntimeValue)(args, env);

/** `loop.cycle(a, b, ...)`: the library's loop object has no cycle. */
function loopCycle(loop: RuntimeValue): RuntimeValue {
  const index = (loop.value as Map<string, RuntimeValue>).get('index0')?.value as number;
  return fn((args) => {
    if (args.length === 0) throw new Error('TypeError: no items for cycling given');
    return args[index % args.length]!;
  });
}

export class PythonInterpreter extends Interpreter {
  override evaluate(statement: unknown, environment: Environment): RuntimeValue {
    const node = statement as Node | undefined;
    switch (node?.type) {
      case EVALUATED:
        return node.value;
      case OUTPUT: {
        const value = this.evaluate(node.expr, environment);
        return value.type === 'StringValue' ? value : str(pyStr(value));
      }
      case 'MemberExpression':
        return this.member(node, environment);
      case 'FilterExpression':
        return this.filter(node, environment);
      case 'BinaryExpression':
        return this.binary(node, environment);
      case 'TestExpression':
        return this.test(node, environment);
      case 'For':
        return this.forLoop(node, environment);
      default:
        return super.evaluate(statement, environment);
    }
  }

  private run$(node: Node, environment: Environment): RuntimeValue {
    return super.evaluate(node, environment);
  }

  private value(node: Node, environment: Environment): RuntimeValue {
    return this.evaluate(node, environment);
  }

  private member(node: Node, env: Environment): RuntimeValue {
    const object = this.value(node.object, env);
    // Fast path for `message['role']`, `message.content`, `messages[0]`: plain lookups that
    // both languages agree on; anything else goes through the full logic below.
    const key = node.computed ? (node.property.type === 'StringLiteral' || node.property.type === 'IntegerLiteral' ? node.property.value : undefined) : node.property.value;
    if (object.type === 'ObjectValue' && typeof key === 'string') {
      const found = (object.value as Map<string, RuntimeValue>).get(key);
      if (found) return found;
    } else if (object.type === 'ArrayValue' && typeof key === 'number') {
      return (object.value as RuntimeValue[]).at(key) ?? new UndefinedValue(undefined);
    }
    if (object.type === 'StringValue') {
      if (!node.computed && node.property.type === 'Identifier') {
        const method = stringMethod(object.value as string, node.property.value);
        if (method) return method;
      } else if (node.computed && node.property.type !== 'SliceExpression') {
        const index = this.value(node.property, env);
        if (index.type === 'IntegerValue') {
          // Python indexes code points, not UTF-16 units.
          const ch = pyCharAt(object.value as string, index.value as number);
          return ch === undefined ? new UndefinedValue(undefined) : str(ch);
        }
        return this.run$({ ...node, object: evaluated(object), property: evaluated(index) }, env);
      }
    }
    if (object.type === 'ObjectValue' && !node.computed) {
      const name = node.property.value as string;
      if (name === 'cycle' && node.object.type === 'Identifier' && node.object.value === 'loop') return loopCycle(object);
      if (name === 'items' || name === 'dictsort') {
        const method = this.run$({ ...node, object: evaluated(object) }, env);
        return method.type === 'FunctionValue' ? fn((args) => pairsAsTuples(callFn(method, args, env))) : method;
      }
    }
    return this.run$({ ...node, object: evaluated(object) }, env);
  }

  private filter(node: Node, env: Environment): RuntimeValue {
    const operand = this.value(node.operand, env);
    const f = node.filter as Node;
    const name = f.type === 'Identifier' ? f.value : f.type === 'CallExpression' ? f.callee?.value : undefined;
    if (typeof name === 'string' && (name === 'map' || hasPythonFilter(name))) {
      const [args, kwargs] =
        f.type === 'CallExpression' ? (this as unknown as Privates).evaluateArguments(f.args, env) : [[], new Map<string, RuntimeValue>()];
      return this.applyNamed(name, operand, args, kwargs, env);
    }
    // The library's own filters get the original node: some (selectattr) inspect argument nodes.
    const result = this.run$({ ...node, operand: evaluated(operand) }, env);
    return name === 'items' || name === 'dictsort' ? pairsAsTuples(result) : result;
  }

  /** Filter `name` with evaluated arguments: ours when Python differs, else the library's. */
  private applyNamed(name: string, operand: RuntimeValue, args: RuntimeValue[], kwargs: Map<string, RuntimeValue>, env: Environment): RuntimeValue {
    const [first, ...rest] = args;
    if (name === 'map' && first?.type === 'StringValue' && !kwargs.has('attribute') && operand.type === 'ArrayValue') {
      // map('upper'): the library supports only map(attribute=...).
      const items = operand.value as RuntimeValue[];
      return new ArrayValue(items.map((item) => this.applyNamed(first.value as string, item, rest, kwargs, env)));
    }
    const ours = applyPythonFilter(name, operand, args, kwargs);
    if (ours) return ours;
    const call = {
      type: 'CallExpression',
      callee: { type: 'Identifier', value: name },
      args: [
        ...args.map(evaluated),
        ...[...kwargs].map(([key, value]) => ({ type: 'KeywordArgumentExpression', key: { type: 'Identifier', value: key }, value: evaluated(value) })),
      ],
    };
    const filter = args.length === 0 && kwargs.size === 0 ? call.callee : call;
    const result = this.run$({ type: 'FilterExpression', operand: evaluated(operand), filter }, env);
    return name === 'items' || name === 'dictsort' ? pairsAsTuples(result) : result;
  }

  private binary(node: Node, env: Environment): RuntimeValue {
    const op = node.operator.value as string;
    if (op === 'and' || op === 'or' || op === 'in' || op === 'not in') return this.run$(node, env);
    const left = this.value(node.left, env);
    const right = this.value(node.right, env);
    return pyBinary(op, left, right) ?? this.run$({ ...node, left: evaluated(left), right: evaluated(right) }, env);
  }

  private test(node: Node, env: Environment): RuntimeValue {
    const test = PY_TESTS[node.test?.value as string];
    if (!test) return this.run$(node, env);
    const result = test(this.value(node.operand, env));
    return bool(node.negate ? !result : result);
  }

  private forLoop(node: Node, env: Environment): RuntimeValue {
    if (node.iterable.type === 'SelectExpression') return this.run$(node, env);
    const iterable = this.value(node.iterable, env);
    // Python loops over a string's characters; the library only loops over lists and dicts.
    let items = iterable.type === 'StringValue' ? new ArrayValue(Array.from(iterable.value as string, str)) : iterable;
    if (node.loopvar.type === 'TupleLiteral' && items.type === 'ArrayValue') {
      // The library unpacks only lists: `for k, v in d.items()` gets its tuples as lists.
      items = new ArrayValue((items.value as RuntimeValue[]).map((x) => (x.type === 'TupleValue' ? new ArrayValue(x.value as RuntimeValue[]) : x)));
    }
    return this.run$({ ...node, iterable: evaluated(items) }, env);
  }
}
