// Python operators and tests where @huggingface/jinja follows JavaScript instead: `==` is loose
// there (`'' == 0`, `undefined == none`), `%` keeps the dividend's sign, `~` prints `true`,
// strings do not compare with `<` or repeat with `*`, and mappings are not "iterable".
import { pyPercentFormat } from './python-format.js';
import { comparePy } from './python-json.js';
import { pyStr } from './python-repr.js';
import { ArrayValue, BooleanValue, FloatValue, IntegerValue, type RuntimeValue, bool, str } from './runtime-values.js';

const NUMERIC = new Set(['IntegerValue', 'FloatValue', 'BooleanValue']);
const LISTS = new Set(['ArrayValue', 'TupleValue']);
const MAPPINGS = new Set(['ObjectValue', 'KeywordArgumentsValue']);
const num = (v: RuntimeValue) => (v.type === 'BooleanValue' ? Number(v.value) : (v.value as number));

/** Python `a == b` over runtime values. */
export function pyEquals(a: RuntimeValue, b: RuntimeValue): boolean {
  if (NUMERIC.has(a.type) && NUMERIC.has(b.type)) return num(a) === num(b);
  if (LISTS.has(a.type) && LISTS.has(b.type)) {
    // Python: a list never equals a tuple.
    const x = a.value as RuntimeValue[];
    const y = b.value as RuntimeValue[];
    return a.type === b.type && x.length === y.length && x.every((v, i) => pyEquals(v, y[i]!));
  }
  if (MAPPINGS.has(a.type) && MAPPINGS.has(b.type)) {
    const x = a.value as Map<string, RuntimeValue>;
    const y = b.value as Map<string, RuntimeValue>;
    return x.size === y.size && [...x].every(([k, v]) => y.has(k) && pyEquals(v, y.get(k)!));
  }
  if (a.type !== b.type) return false;
  return a.type === 'NullValue' || a.type === 'UndefinedValue' || a.value === b.value;
}

/** A binary operation with Python semantics, or undefined to let the library evaluate it. */
export function pyBinary(op: string, a: RuntimeValue, b: RuntimeValue): RuntimeValue | undefined {
  if (op === '+' && a.type === 'StringValue' && b.type === 'StringValue') return str((a.value as string) + (b.value as string));
  switch (op) {
    case '==':
      return bool(pyEquals(a, b));
    case '!=':
      return bool(!pyEquals(a, b));
    case '~':
      return str(pyStr(a) + pyStr(b));
    case '%':
      if (a.type === 'StringValue') {
        // printf-style formatting: a tuple gives the arguments, anything else is the one argument.
        return str(pyPercentFormat(a.value as string, b.type === 'TupleValue' ? (b.value as RuntimeValue[]) : [b]));
      }
      if (a.type === 'IntegerValue' && b.type === 'IntegerValue') {
        if (b.value === 0) throw new Error('ZeroDivisionError: integer modulo by zero');
        return new IntegerValue((((a.value as number) % (b.value as number)) + (b.value as number)) % (b.value as number));
      }
      if (NUMERIC.has(a.type) && NUMERIC.has(b.type)) {
        const m = num(a) - Math.floor(num(a) / num(b)) * num(b);
        return new FloatValue(m);
      }
      return undefined;
    case '*':
      return repeat(a, b) ?? repeat(b, a);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (a.type !== 'StringValue' || b.type !== 'StringValue') return undefined;
      return compareStrings(op, comparePy(a.value as string, b.value as string));
    default:
      return undefined;
  }
}

function repeat(seq: RuntimeValue, times: RuntimeValue): RuntimeValue | undefined {
  if (times.type !== 'IntegerValue' && times.type !== 'BooleanValue') return undefined;
  const n = Math.max(0, num(times));
  if (seq.type === 'StringValue') return str((seq.value as string).repeat(n));
  if (seq.type === 'ArrayValue') return new ArrayValue(Array.from({ length: n }, () => seq.value as RuntimeValue[]).flat());
  return undefined;
}

function compareStrings(op: string, d: number): RuntimeValue {
  return new BooleanValue(op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0);
}

/** Jinja tests whose Python answer differs from @huggingface/jinja's. */
export const PY_TESTS: Record<string, (v: RuntimeValue) => boolean> = {
  iterable: (v) => LISTS.has(v.type) || MAPPINGS.has(v.type) || v.type === 'StringValue',
  sequence: (v) => LISTS.has(v.type) || MAPPINGS.has(v.type) || v.type === 'StringValue',
  mapping: (v) => MAPPINGS.has(v.type),
  number: (v) => NUMERIC.has(v.type),
  float: (v) => v.type === 'FloatValue',
  integer: (v) => v.type === 'IntegerValue',
};

const cmp = (a: RuntimeValue, b: RuntimeValue): number =>
  a.type === 'StringValue' && b.type === 'StringValue' ? comparePy(a.value as string, b.value as string) : num(a) - num(b);

/** Jinja's built-in tests by name, with their arguments, for `select` / `reject`. */
const ARG_TESTS: Record<string, (v: RuntimeValue, arg: RuntimeValue | undefined) => boolean> = {
  ...PY_TESTS,
  defined: (v) => v.type !== 'UndefinedValue',
  undefined: (v) => v.type === 'UndefinedValue',
  none: (v) => v.type === 'NullValue',
  string: (v) => v.type === 'StringValue',
  boolean: (v) => v.type === 'BooleanValue',
  true: (v) => v.type === 'BooleanValue' && v.value === true,
  false: (v) => v.type === 'BooleanValue' && v.value === false,
  odd: (v) => num(v) % 2 !== 0,
  even: (v) => num(v) % 2 === 0,
  lower: (v) => typeof v.value === 'string' && v.value === v.value.toLowerCase(),
  upper: (v) => typeof v.value === 'string' && v.value === v.value.toUpperCase(),
  equalto: (v, a) => a !== undefined && pyEquals(v, a),
  ne: (v, a) => a === undefined || !pyEquals(v, a),
  gt: (v, a) => a !== undefined && cmp(v, a) > 0,
  ge: (v, a) => a !== undefined && cmp(v, a) >= 0,
  lt: (v, a) => a !== undefined && cmp(v, a) < 0,
  le: (v, a) => a !== undefined && cmp(v, a) <= 0,
  in: (v, a) =>
    a !== undefined &&
    (a.type === 'StringValue'
      ? (a.value as string).includes(String(v.value))
      : a.type === 'ObjectValue'
        ? (a.value as Map<string, RuntimeValue>).has(String(v.value))
        : (a.value as RuntimeValue[]).some((x) => pyEquals(x, v))),
};
for (const [alias, name] of [['eq', 'equalto'], ['==', 'equalto'], ['sameas', 'equalto'], ['!=', 'ne'], ['>', 'gt'], ['>=', 'ge'], ['<', 'lt'], ['<=', 'le'], ['greaterthan', 'gt'], ['lessthan', 'lt']] as const) {
  ARG_TESTS[alias] = ARG_TESTS[name]!;
}

/** Runs the Jinja test `name` on `value`; throws for a test Jinja does not have. */
export function runTest(name: string, value: RuntimeValue, arg?: RuntimeValue): boolean {
  const test = ARG_TESTS[name];
  if (!test) throw new Error(`TemplateRuntimeError: No test named '${name}'`);
  return test(value, arg);
}
