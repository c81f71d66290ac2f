// Python Jinja's whitespace rules, applied before @huggingface/jinja sees the template: newline
// normalization, one trailing newline dropped, trim_blocks, lstrip_blocks, the `-` and `+`
// markers, comments and `{% raw %}`. The library approximates these with regexes over the whole
// source (no `+`, no raw, JS whitespace); we walk the tags the way Python's lexer does and hand
// the library a template whose whitespace is already final.
import { isPyWhitespace, pyStrip } from './python-str.js';

const TAG_START = /\{[{%#]/g;
const RAW_BEGIN = /\{%([-+]?)\s*raw\s*(-%\}|%\})/y;
const RAW_END = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g;

const rstrip = (s: string) => pyStrip(s, null, 'right');
const isBlank = (s: string) => s !== '' && pyStrip(s, null) === '';

/** Python lstrip_blocks: drop the spaces between the line start and a block or comment tag. */
function lstripLine(text: string, lineStarting: boolean): string {
  const lineStart = text.lastIndexOf('\n') + 1;
  return (lineStart > 0 || lineStarting) && isBlank(text.slice(lineStart)) ? text.slice(0, lineStart) : text;
}

/** Index after the whitespace from `i` (Python's `\s*`). */
function skipWhitespace(src: string, i: number): number {
  while (i < src.length && isPyWhitespace(src[i]!)) i++;
  return i;
}

/** Index of the end token (`}}` or `%}`) of a tag starting at `i`, skipping strings and brackets. */
function findTagEnd(src: string, i: number, close: '}}' | '%}'): number {
  let depth = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '"' || ch === "'") {
      i++;
      while (i < src.length && src[i] !== ch) i += src[i] === '\\' ? 2 : 1;
    } else if (depth === 0 && src.startsWith(close, i)) {
      return i;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
    i++;
  }
  throw new SyntaxError(`Missing end of tag: expected '${close}'`);
}

const literal = (text: string) => `{{ '${text.replace(/[\\'\n\r]/g, (c) => ({ '\n': '\\n', '\r': '\\r' })[c] ?? `\\${c}`)}' }}`;

/** Rewrites `source` so that its whitespace is what Python Jinja (trim_blocks, lstrip_blocks) keeps. */
export function applyPythonWhitespace(source: string): string {
  // Python's lexer first normalizes newlines and drops one trailing newline.
  const lines = source.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  const src = lines.join('\n');

  let out = '';
  let i = 0;
  let lineStarting = true;
  for (;;) {
    TAG_START.lastIndex = i;
    const start = TAG_START.exec(src);
    if (!start) return out + src.slice(i);
    const j = start.index;
    const kind = src[j + 1]!;
    const sign = '-+'.includes(src[j + 2] ?? '') ? src[j + 2]! : '';
    let text = src.slice(i, j);
    if (sign === '-') text = rstrip(text);
    else if (sign !== '+' && kind !== '{') text = lstripLine(text, lineStarting);
    out += text;

    RAW_BEGIN.lastIndex = j;
    const raw = kind === '%' ? RAW_BEGIN.exec(src) : null;
    if (raw) {
      let from = RAW_BEGIN.lastIndex;
      if (raw[2] === '-%}') from = skipWhitespace(src, from);
      RAW_END.lastIndex = from;
      const end = RAW_END.exec(src);
      if (!end) throw new SyntaxError('Missing end of raw directive');
      let content = src.slice(from, end.index);
      if (end[1] === '-') content = rstrip(content);
      else if (end[1] !== '+') content = lstripLine(content, src[from - 1] === '\n');
      out += literal(content);
      i = RAW_END.lastIndex;
      if (end[2] === '-') i = skipWhitespace(src, i);
      else if (end[2] !== '+' && src[i] === '\n') i++;
      lineStarting = src[i - 1] === '\n';
      continue;
    }

    const bodyStart = j + 2 + sign.length;
    if (kind === '#') {
      // Comments render nothing: drop them, keeping their effect on the whitespace around.
      const end = src.indexOf('#}', bodyStart);
      if (end < 0) throw new SyntaxError('Missing end of comment tag');
      i = afterTagEnd(src, end, '#}', src[end - 1]);
    } else {
      const close = kind === '{' ? '}}' : '%}';
      const end = findTagEnd(src, bodyStart, close);
      const endSign = src[end - 1] === '-' || (kind === '%' && src[end - 1] === '+') ? src[end - 1]! : '';
      out += `{${kind}${src.slice(bodyStart, end - endSign.length)}${close}`;
      i = kind === '{' ? (endSign === '-' ? skipWhitespace(src, end + 2) : end + 2) : afterTagEnd(src, end, close, endSign);
    }
    lineStarting = src[i - 1] === '\n';
  }
}

/** Position after a block or comment end: `-` eats all whitespace, `+` none, else one newline. */
function afterTagEnd(src: string, end: number, close: string, sign: string | undefined): number {
  const after = end + close.length;
  if (sign === '-') return skipWhitespace(src, after);
  if (sign !== '+' && src[after] === '\n') return after + 1;
  return after;
}
