// Python's `json.dumps` and `repr`, as transformers' `tojson` filter and Jinja's output use them.
// @huggingface/jinja prints 1.0 as `1`, sorts keys by locale, ignores indent=0 and string indents,
// and escapes lone surrogates; Python does none of these.
import type { RuntimeValue } from './runtime-values.js';

/** Python `repr(float)`: shortest round-trip digits, exponent outside 1e-4..1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const text = x.toString();
  return text.includes('.') ? text : `${text}.0`;
}

export interface DumpsOptions {
  ensureAscii?: boolean;
  indent?: number | string | null;
  separators?: [string, string] | null;
  sortKeys?: boolean;
}

/** Python `json.dumps(value, ...)` over Jinja runtime values. */
export function pyJsonDumps(value: RuntimeValue, options: DumpsOptions = {}): string {
  const indent = typeof options.indent === 'number' ? ' '.repeat(Math.max(0, options.indent)) : (options.indent ?? null);
  const [itemSep, keySep] = options.separators ?? (indent === null ? [', ', ': '] : [',', ': ']);
  const escape = (s: string) => pyJsonString(s, options.ensureAscii ?? false);

  const encode = (v: RuntimeValue, level: number): string => {
    switch (v.type) {
      case 'NullValue':
        return 'null';
      case 'BooleanValue':
        return v.value ? 'true' : 'false';
      case 'IntegerValue':
        return String(v.value);
      case 'FloatValue':
        return jsonFloat(v.value as number);
      case 'StringValue':
        return escape(v.value as string);
      case 'ArrayValue':
      case 'TupleValue':
        return container('[', ']', (v.value as RuntimeValue[]).map((item) => (pad: string) => pad + encode(item, level + 1)), level);
      case 'ObjectValue':
      case 'KeywordArgumentsValue': {
        let entries = [...(v.value as Map<string, RuntimeValue>).entries()];
        if (options.sortKeys) entries = entries.sort(([a], [b]) => comparePy(a, b));
        return container(
          '{',
          '}',
          entries.map(([key, item]) => (pad: string) => pad + escape(key) + keySep + encode(item, level + 1)),
          level,
        );
      }
      default:
        throw new Error(`TypeError: Object of type ${v.type.replace('Value', '')} is not JSON serializable`);
    }
  };

  const container = (open: string, close: string, items: Array<(pad: string) => string>, level: number): string => {
    if (items.length === 0) return open + close;
    if (indent === null) return open + items.map((item) => item('')).join(itemSep) + close;
    const inner = '\n' + indent.repeat(level + 1);
    return open + items.map((item) => item(inner)).join(itemSep) + '\n' + indent.repeat(level) + close;
  };

  return encode(value, 0);
}

function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(x);
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A JSON string literal the way Python writes it (lone surrogates kept unless ensure_ascii). */
export function pyJsonString(s: string, ensureAscii: boolean): string {
  // Python escapes everything outside printable ASCII with ensure_ascii, else only controls.
  const pattern = ensureAscii ? /["\\]|[^ -~]/g : /["\\\u0000-\u001f]/g;
  return `"${s.replace(pattern, (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Python's str ordering: by code point (JS's default sort compares UTF-16 units). */
export function comparePy(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}
