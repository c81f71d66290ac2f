// Python string formatting for templates: `'%s: %d' % (a, b)`, `'%s' | format(x)` and
// `'{} {name}'.format(a, name=b)`. The common conversions are covered; anything else fails
// loudly rather than rendering something Python would not.
import { pyFloatRepr } from './python-json.js';
import { pyRepr, pyStr } from './python-repr.js';
import type { RuntimeValue } from './runtime-values.js';

const num = (v: RuntimeValue): number => {
  if (v.type === 'IntegerValue' || v.type === 'FloatValue') return v.value as number;
  if (v.type === 'BooleanValue') return Number(v.value);
  throw new Error(`TypeError: %d format: a real number is required, not ${v.type}`);
};

/** Python `fmt % args` (printf style): flags `-0+ `, width, precision; s r d i f F e E x X o c %. */
export function pyPercentFormat(fmt: string, args: RuntimeValue[]): string {
  if (/%\(/.test(fmt)) throw new Error('ValueError: %(name) formatting is not supported in chat templates here');
  let next = 0;
  const take = () => {
    const v = args[next++];
    if (v === undefined) throw new Error('TypeError: not enough arguments for format string');
    return v;
  };
  const out = fmt.replace(/%([-+ 0]*)(\d+)?(?:\.(\d+))?(.)/g, (_m, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const v = take();
    let body: string;
    switch (conv) {
      case 's': body = pyStr(v); break;
      case 'r': body = pyRepr(v); break;
      case 'c': body = v.type === 'StringValue' ? (v.value as string) : String.fromCodePoint(num(v)); break;
      case 'd': case 'i': body = Math.trunc(num(v)).toString(); break;
      case 'x': body = Math.trunc(num(v)).toString(16); break;
      case 'X': body = Math.trunc(num(v)).toString(16).toUpperCase(); break;
      case 'o': body = Math.trunc(num(v)).toString(8); break;
      case 'e': case 'E': body = pyExp(num(v), precision === undefined ? 6 : Number(precision)); if (conv === 'E') body = body.toUpperCase(); break;
      case 'f': case 'F': body = num(v).toFixed(precision === undefined ? 6 : Number(precision)); break;
      default: throw new Error(`ValueError: unsupported format character '${conv}'`);
    }
    if (precision !== undefined && (conv === 's' || conv === 'r')) body = Array.from(body).slice(0, Number(precision)).join('');
    if ('difFeExXo'.includes(conv) && !body.startsWith('-')) body = (flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + body;
    const w = Number(width ?? 0);
    if (flags.includes('-')) return body.padEnd(w);
    if (flags.includes('0') && conv !== 's' && conv !== 'r') {
      const sign = /^[-+ ]/.test(body) ? body[0]! : '';
      return sign + body.slice(sign.length).padStart(w - sign.length, '0');
    }
    return body.padStart(w);
  });
  if (next < args.length) throw new Error('TypeError: not all arguments converted during string formatting');
  return out;
}

function pyExp(x: number, digits: number): string {
  const [m = '', e = '0'] = x.toExponential(digits).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Python `fmt.format(*args, **kwargs)` with `{}`, `{0}`, `{name}`, `{name.attr}` and `{{ }}`, no format specs. */
export function pyStrFormat(fmt: string, args: RuntimeValue[], kwargs: Map<string, RuntimeValue>): string {
  let auto = 0;
  let manual = false;
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field?: string) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    if (field!.includes(':') || field!.includes('!')) throw new Error('ValueError: format specs are not supported in chat templates here');
    const [head = '', ...path] = field!.split('.');
    const numbered = /^\d+$/.test(head);
    if ((head === '' && manual) || (numbered && auto > 0)) {
      throw new Error('ValueError: cannot switch between automatic and manual field numbering');
    }
    manual ||= numbered;
    let v = head === '' ? args[auto++] : numbered ? args[Number(head)] : kwargs.get(head);
    for (const key of path) v = v?.type === 'ObjectValue' ? (v.value as Map<string, RuntimeValue>).get(key) : undefined;
    if (v === undefined) throw new Error(`KeyError/IndexError: replacement field {${field}}`);
    return v.type === 'FloatValue' ? pyFloatRepr(v.value as number) : pyStr(v);
  });
}
