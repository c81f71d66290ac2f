// How Python prints values: `str(x)` for `{{ x }}` and `~`, `repr(x)` inside containers.
// @huggingface/jinja prints true/null/[1, 2] the JavaScript way and drops `{{ none }}` entirely.
import { pyFloatRepr } from './python-json.js';
import type { RuntimeValue } from './runtime-values.js';

/** Python `str(value)` (Jinja's output of `{{ value }}`; Undefined prints as ''). */
export function pyStr(value: RuntimeValue): string {
  switch (value.type) {
    case 'StringValue':
      return value.value as string;
    case 'UndefinedValue':
      return '';
    default:
      return pyRepr(value);
  }
}

/** Python `repr(value)`. */
export function pyRepr(value: RuntimeValue): string {
  switch (value.type) {
    case 'StringValue':
      return reprString(value.value as string);
    case 'NullValue':
      return 'None';
    case 'UndefinedValue':
      return '';
    case 'BooleanValue':
      return value.value ? 'True' : 'False';
    case 'IntegerValue':
      return String(value.value);
    case 'FloatValue':
      return pyFloatRepr(value.value as number);
    case 'ArrayValue':
      return `[${(value.value as RuntimeValue[]).map(pyRepr).join(', ')}]`;
    case 'TupleValue': {
      const items = (value.value as RuntimeValue[]).map(pyRepr);
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    case 'ObjectValue':
    case 'KeywordArgumentsValue': {
      const entries = [...(value.value as Map<string, RuntimeValue>).entries()];
      return `{${entries.map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(', ')}}`;
    }
    default:
      return value.toString();
  }
}

const NON_PRINTABLE = /[\p{C}\p{Z}\\]/gu;

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(NON_PRINTABLE, (ch) => {
    if (ch === ' ') return ch;
    if (ch === '\\') return '\\\\';
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    const cp = ch.codePointAt(0)!;
    if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
    if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
    return `\\U${cp.toString(16).padStart(8, '0')}`;
  });
  return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
}
