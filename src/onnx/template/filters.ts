// Jinja filters with Python (transformers) semantics. Returns undefined for filters that
// @huggingface/jinja already gets right, so the library handles them.
import { runTest } from './operators.js';
import { pyPercentFormat } from './python-format.js';
import { comparePy, pyJsonDumps } from './python-json.js';
import { pyRepr, pyStr } from './python-repr.js';
import { jinjaTitle, pyCapitalize, pyLen, pyStrip } from './python-str.js';
import { ArrayValue, FloatValue, IntegerValue, type RuntimeValue, UndefinedValue, optString, str } from './runtime-values.js';

type Filter = (operand: RuntimeValue, args: RuntimeValue[], kwargs: Map<string, RuntimeValue>) => RuntimeValue | undefined;

const isString = (v: RuntimeValue): v is RuntimeValue & { value: string } => v.type === 'StringValue';
const isList = (v: RuntimeValue) => v.type === 'ArrayValue' || v.type === 'TupleValue';

// transformers replaces Jinja's tojson: json.dumps(x, ensure_ascii=False, indent=None,
// separators=None, sort_keys=False), positional arguments in that order.
const tojson: Filter = (operand, args, kw) => {
  const arg = (i: number, name: string) => args[i] ?? kw.get(name);
  const indent = arg(1, 'indent');
  const separators = arg(2, 'separators');
  return str(
    pyJsonDumps(operand, {
      ensureAscii: Boolean(arg(0, 'ensure_ascii')?.__bool__().value),
      indent: indent === undefined || indent.type === 'NullValue' ? null : (indent.value as number | string),
      separators:
        separators && isList(separators)
          ? ((separators.value as RuntimeValue[]).map((s) => pyStr(s)) as [string, string])
          : null,
      sortKeys: Boolean(arg(3, 'sort_keys')?.__bool__().value),
    }),
  );
};

// `select('equalto', x)` / `reject(...)`: keep (or drop) the items passing the named test; no
// test name means plain truthiness. Llama 3.1's template rejects 'code_interpreter' this way.
const selectOrReject =
  (keep: boolean): Filter =>
  (v, [test, arg]) => {
    if (!isList(v)) return undefined;
    const passes = (item: RuntimeValue) =>
      test === undefined ? item.__bool__().value : runTest(String(test.value), item, arg);
    return new ArrayValue((v.value as RuntimeValue[]).filter((item) => passes(item) === keep));
  };

const numbers = (v: RuntimeValue) => (v.value as RuntimeValue[]).map((x) => (x.type === 'BooleanValue' ? Number(x.value) : (x.value as number)));

// min / max compare strings case-insensitively by default, as Jinja does; ties keep the first.
const extreme =
  (sign: 1 | -1): Filter =>
  (v, [caseSensitive], kw) => {
    if (!isList(v)) return undefined;
    const items = v.value as RuntimeValue[];
    if (items.length === 0) return new UndefinedValue(undefined);
    const exact = Boolean((caseSensitive ?? kw.get('case_sensitive'))?.__bool__().value);
    const fold = (s: string) => (exact ? s : s.toLowerCase());
    const order = (a: RuntimeValue, b: RuntimeValue) =>
      isString(a) && isString(b) ? comparePy(fold(a.value), fold(b.value)) : Number(a.value) - Number(b.value);
    return items.reduce((best, x) => (sign * order(x, best) < 0 ? x : best));
  };

const FILTERS: Record<string, Filter> = {
  sum: (v, [first], kw) => {
    if (!isList(v)) return undefined;
    const start = first ?? kw.get('start');
    const total = numbers(v).reduce((a, b) => a + b, (start?.value as number | undefined) ?? 0);
    const float = (v.value as RuntimeValue[]).some((x) => x.type === 'FloatValue') || start?.type === 'FloatValue';
    return float ? new FloatValue(total) : new IntegerValue(total);
  },
  min: extreme(1),
  max: extreme(-1),
  select: selectOrReject(true),
  reject: selectOrReject(false),
  tojson,
  trim: (v, [chars], kw) => str(pyStrip(pyStr(v), optString(chars ?? kw.get('chars'), 'chars'))),
  length: (v) => (isString(v) ? new IntegerValue(pyLen(v.value)) : undefined),
  count: (v) => (isString(v) ? new IntegerValue(pyLen(v.value)) : undefined),
  capitalize: (v) => str(pyCapitalize(pyStr(v))),
  title: (v) => str(jinjaTitle(pyStr(v))),
  string: (v) => str(pyStr(v)),
  list: (v) => (isString(v) ? new ArrayValue(Array.from(v.value, str)) : undefined),
  reverse: (v) => (isString(v) ? str(Array.from(v.value).reverse().join('')) : undefined),
  join: (v, [sep], kw) => {
    if (!isList(v)) return undefined;
    const d = optString(sep ?? kw.get('d'), 'separator') ?? '';
    return str((v.value as RuntimeValue[]).map(pyStr).join(d));
  },
  pprint: (v) => str(pyRepr(v)),
  format: (v, args, kw) => {
    if (kw.size > 0) throw new Error("FilterArgumentError: can't handle keyword arguments here");
    return str(pyPercentFormat(pyStr(v), args));
  },
};

/** Whether filter `name` has a Python version here. */
export function hasPythonFilter(name: string): boolean {
  return Object.hasOwn(FILTERS, name);
}

/** Applies the Python version of filter `name`, or returns undefined to use the library's. */
export function applyPythonFilter(
  name: string,
  operand: RuntimeValue,
  args: RuntimeValue[],
  kwargs: Map<string, RuntimeValue>,
): RuntimeValue | undefined {
  return FILTERS[name]?.(operand, args, kwargs);
}
