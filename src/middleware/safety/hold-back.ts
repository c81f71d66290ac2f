// Internal: where a guarded stream may cut the text it has received. Everything after the cut
// stays held until the guard has seen more, so text a guard blocks never reaches the caller.

/**
 * `number`: keep at least this many characters back; `'sentence'`: release whole sentences;
 * `'all'`: release nothing before the end.
 *
 * @example
 * safety({ guard, holdBack: 'sentence' });
 */
export type HoldBack = number | 'sentence' | 'all';

// A sentence ends at . ! ? … or their CJK forms followed by whitespace, or at a newline.
const SENTENCE_END = /[.!?…。！？](?=\s)|\n/g;

/** The position up to which `text` may be released (never below `released`). */
export function releasable(text: string, released: number, holdBack: HoldBack): number {
  if (holdBack === 'all') return released;
  if (holdBack === 'sentence') {
    let cut = released;
    SENTENCE_END.lastIndex = released;
    for (let m = SENTENCE_END.exec(text); m; m = SENTENCE_END.exec(text)) cut = m.index + m[0].length;
    return cut;
  }
  let cut = text.length - holdBack;
  // Never split a surrogate pair.
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return Math.max(cut, released);
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
