// Python `str` methods for `{{ s.strip('\n') }}`-style calls in chat templates. Methods not
// listed here fall through to @huggingface/jinja's own (upper, lower, startswith, replace...).
import { pyStrFormat } from './python-format.js';
import { pyCapitalize, pyRsplit, pySplit, pySplitlines, pyStrip, pyTitle } from './python-str.js';
import {
  ArrayValue,
  BooleanValue,
  IntegerValue,
  type RuntimeValue,
  fn,
  optInt,
  optString,
  splitArgs,
  str,
} from './runtime-values.js';

type Method = (self: string, args: RuntimeValue[], kwargs: Map<string, RuntimeValue>) => RuntimeValue;

const strings = (parts: string[]) => new ArrayValue(parts.map(str));

const strip =
  (side: 'both' | 'left' | 'right'): Method =>
  (self, [chars], kw) =>
    str(pyStrip(self, optString(chars ?? kw.get('chars'), 'strip arg'), side));

const split =
  (impl: typeof pySplit): Method =>
  (self, [sep, max], kw) =>
    strings(impl(self, optString(sep ?? kw.get('sep'), 'sep'), optInt(max ?? kw.get('maxsplit'), -1, 'maxsplit')));

const affix =
  (test: (self: string, s: string) => boolean): Method =>
  (self, [pattern]) => {
    if (pattern?.type === 'StringValue') return new BooleanValue(test(self, pattern.value as string));
    if (pattern?.type === 'ArrayValue' || pattern?.type === 'TupleValue') {
      return new BooleanValue((pattern.value as RuntimeValue[]).some((p) => test(self, String(p.value))));
    }
    throw new Error('TypeError: startswith/endswith first arg must be str or a tuple of str');
  };

const METHODS: Record<string, Method> = {
  strip: strip('both'),
  lstrip: strip('left'),
  rstrip: strip('right'),
  split: split(pySplit),
  rsplit: split(pyRsplit),
  splitlines: (self, [keep], kw) => strings(pySplitlines(self, Boolean((keep ?? kw.get('keepends'))?.value))),
  format: (self, args, kw) => str(pyStrFormat(self, args, kw)),
  capitalize: (self) => str(pyCapitalize(self)),
  title: (self) => str(pyTitle(self)),
  startswith: affix((s, p) => s.startsWith(p)),
  endswith: affix((s, p) => s.endsWith(p)),
  removeprefix: (self, [p]) => {
    const prefix = optString(p, 'prefix') ?? '';
    return str(self.startsWith(prefix) ? self.slice(prefix.length) : self);
  },
  removesuffix: (self, [p]) => {
    const suffix = optString(p, 'suffix') ?? '';
    return str(suffix !== '' && self.endsWith(suffix) ? self.slice(0, -suffix.length) : self);
  },
  join: (self, [items]) => {
    if (items?.type !== 'ArrayValue' && items?.type !== 'TupleValue') throw new Error('TypeError: join() needs a list');
    return str((items.value as RuntimeValue[]).map((i) => String(i.value)).join(self));
  },
  find: (self, [sub]) => new IntegerValue(codePointIndex(self, self.indexOf(optString(sub, 'sub') ?? ''))),
  rfind: (self, [sub]) => new IntegerValue(codePointIndex(self, self.lastIndexOf(optString(sub, 'sub') ?? ''))),
  count: (self, [sub]) => {
    const s = optString(sub, 'sub') ?? '';
    return new IntegerValue(s === '' ? Array.from(self).length + 1 : self.split(s).length - 1);
  },
  isspace: (self) => new BooleanValue(self !== '' && pyStrip(self, null) === ''),
  isdigit: (self) => new BooleanValue(/^\p{Nd}+$/u.test(self)),
  isalpha: (self) => new BooleanValue(/^\p{L}+$/u.test(self)),
  isupper: (self) => new BooleanValue(self !== self.toLowerCase() && self === self.toUpperCase()),
  islower: (self) => new BooleanValue(self !== self.toUpperCase() && self === self.toLowerCase()),
};

function codePointIndex(value: string, utf16Index: number): number {
  return utf16Index < 0 ? -1 : Array.from(value.slice(0, utf16Index)).length;
}

/** The Python method `name` bound to `self`, or undefined to use the library's own. */
export function stringMethod(self: string, name: string): RuntimeValue | undefined {
  const method = METHODS[name];
  if (!method) return undefined;
  return fn((args) => {
    const [positional, kwargs] = splitArgs(args);
    return method(self, positional, kwargs);
  });
}
