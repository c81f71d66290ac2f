// Python `str` semantics that chat templates rely on. JavaScript's String methods differ in the
// whitespace set (JS trims U+FEFF; Python strips U+001C-U+001F and U+0085), ignore strip's
// `chars` argument, and count UTF-16 units where Python counts code points.

/** Characters for which Python's `str.isspace()` is true. */
const PY_WHITESPACE = new Set(
  [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
    .concat(Array.from({ length: 11 }, (_, i) => 0x2000 + i))
    .map((c) => String.fromCodePoint(c)),
);

/** Python `str.isspace()` for one code point. */
export function isPyWhitespace(ch: string): boolean {
  return PY_WHITESPACE.has(ch);
}

type Side = 'both' | 'left' | 'right';

/** Python `str.strip/lstrip/rstrip(chars=None)`, code point aware. */
export function pyStrip(value: string, chars: string | null | undefined, side: Side = 'both'): string {
  const set = chars == null ? PY_WHITESPACE : new Set(chars);
  const strip = (ch: string) => set.has(ch);
  // Walk code points from each end; only the stripped ends are visited.
  let start = 0;
  let end = value.length;
  if (side !== 'right') {
    while (start < end) {
      const ch = String.fromCodePoint(value.codePointAt(start)!);
      if (!strip(ch)) break;
      start += ch.length;
    }
  }
  if (side !== 'left') {
    while (end > start) {
      const pair = end - 2 >= start && /[\uDC00-\uDFFF]/.test(value[end - 1]!) && /[\uD800-\uDBFF]/.test(value[end - 2]!);
      const ch = value.slice(pair ? end - 2 : end - 1, end);
      if (!strip(ch)) break;
      end -= ch.length;
    }
  }
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Python `str.split(sep=None, maxsplit=-1)`. */
export function pySplit(value: string, sep: string | null | undefined, maxsplit = -1): string[] {
  if (sep == null) return splitWhitespace(value, maxsplit);
  if (sep === '') throw new Error('ValueError: empty separator');
  const parts = value.split(sep);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
}

/** Python `str.rsplit(sep=None, maxsplit=-1)`. */
export function pyRsplit(value: string, sep: string | null | undefined, maxsplit = -1): string[] {
  if (maxsplit < 0) return pySplit(value, sep);
  if (sep == null) {
    // Reverse by code point, split from the left, and reverse back.
    const rev = (s: string) => Array.from(s).reverse().join('');
    return splitWhitespace(rev(value), maxsplit).map(rev).reverse();
  }
  if (sep === '') throw new Error('ValueError: empty separator');
  const parts = value.split(sep);
  if (parts.length <= maxsplit + 1) return parts;
  const cut = parts.length - maxsplit;
  return [parts.slice(0, cut).join(sep), ...parts.slice(cut)];
}

function splitWhitespace(value: string, maxsplit: number): string[] {
  const points = Array.from(value);
  const out: string[] = [];
  let i = 0;
  while (i < points.length) {
    while (i < points.length && isPyWhitespace(points[i]!)) i++;
    if (i >= points.length) break;
    if (maxsplit >= 0 && out.length >= maxsplit) {
      // The rest keeps its inner and trailing whitespace, as Python does.
      out.push(points.slice(i).join(''));
      break;
    }
    const start = i;
    while (i < points.length && !isPyWhitespace(points[i]!)) i++;
    out.push(points.slice(start, i).join(''));
  }
  return out;
}

const LINE_BREAKS = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;

/** Python `str.splitlines(keepends=False)`. */
export function pySplitlines(value: string, keepends = false): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of value.matchAll(LINE_BREAKS)) {
    const end = m.index + m[0].length;
    out.push(value.slice(last, keepends ? end : m.index));
    last = end;
  }
  if (last < value.length) out.push(value.slice(last));
  return out;
}

// Titlecase differs from uppercase for the DŽ-style digraphs and for ligatures (ß -> Ss, ﬁ -> Fi);
// JavaScript has no titlecase mapping, so these are listed here.
const DIGRAPH_TITLE: Record<string, string> = {
  'Ǆ': 'ǅ', 'ǅ': 'ǅ', 'ǆ': 'ǅ', 'Ǉ': 'ǈ', 'ǈ': 'ǈ', 'ǉ': 'ǈ', 'Ǌ': 'ǋ', 'ǋ': 'ǋ', 'ǌ': 'ǋ', 'Ǳ': 'ǲ', 'ǲ': 'ǲ', 'ǳ': 'ǲ',
};
const LIGATURES = /^[ßﬀ-ﬆﬓ-ﬗև]$/u;

/** Python's titlecase of one character. */
function toTitle(ch: string): string {
  const digraph = DIGRAPH_TITLE[ch];
  if (digraph) return digraph;
  const upper = ch.toUpperCase();
  return LIGATURES.test(ch) ? upper.slice(0, 1) + upper.slice(1).toLowerCase() : upper;
}

const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;
const CASE_IGNORABLE = /[\p{Mn}\p{Me}\p{Cf}\p{Lm}\p{Sk}'.:\u00AD\u2019]/u;

/** Lowercase of `chars[i]` with Python's final-sigma rule, which looks at the neighbours. */
function lowerAt(chars: string[], i: number): string {
  const ch = chars[i]!;
  if (ch !== 'Σ') return ch.toLowerCase();
  const casedNeighbour = (step: 1 | -1) => {
    for (let j = i + step; j >= 0 && j < chars.length; j += step) {
      if (!CASE_IGNORABLE.test(chars[j]!)) return CASED.test(chars[j]!);
    }
    return false;
  };
  return casedNeighbour(-1) && !casedNeighbour(1) ? 'ς' : 'σ';
}

/** Python `str.capitalize()`: first character titlecased, the rest lower. */
export function pyCapitalize(value: string): string {
  const chars = Array.from(value);
  return chars.map((ch, i) => (i === 0 ? toTitle(ch) : lowerAt(chars, i))).join('');
}

/** Python `str.title()`: a cased letter after an uncased character starts a word. */
export function pyTitle(value: string): string {
  const chars = Array.from(value);
  let prevCased = false;
  let out = '';
  chars.forEach((ch, i) => {
    const cased = ch.toLowerCase() !== ch.toUpperCase() || ch in DIGRAPH_TITLE;
    out += cased ? (prevCased ? lowerAt(chars, i) : toTitle(ch)) : ch;
    prevCased = cased;
  });
  return out;
}

/** Jinja's `title` filter: words start after `-`, whitespace or an opening bracket. */
export function jinjaTitle(value: string): string {
  return value
    .split(/([-\s({[<]+)/u)
    .filter((part) => part !== '')
    .map((part) => {
      const [first = '', ...rest] = Array.from(part);
      return first.toUpperCase() + rest.join('').toLowerCase();
    })
    .join('');
}

/** Python's `len(str)`: code points, not UTF-16 units. */
export function pyLen(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Python's `str[i]` with negative indices, code point aware; undefined when out of range. */
export function pyCharAt(value: string, index: number): string | undefined {
  const points = Array.from(value);
  return points[index < 0 ? points.length + index : index];
}
