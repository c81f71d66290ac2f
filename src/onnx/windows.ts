// Overlapping windows over a long token sequence, for guards that judge every part of a long input
// (Meta's advice for Prompt Guard: split the text, classify the parts in parallel, take the worst).

/** The token ids around the text, repeated in every window: `[CLS]` ... `[SEP]`, or a BOS. */
export interface Frame {
  prefix: readonly number[];
  suffix: readonly number[];
}

/**
 * Where each window starts in a body of `length` tokens, windows of `size` tokens overlapping by
 * `overlap`. The last window ends at the body's end, so every window is full and the end of the
 * text (where an injection often sits) is seen with as much context as the others.
 *
 * @example
 * windowStarts(1000, 510, 64); // [0, 446, 490]
 */
export function windowStarts(length: number, size: number, overlap: number): number[] {
  if (!(size > overlap && overlap >= 0)) throw new RangeError(`window size ${size} must exceed overlap ${overlap}`);
  if (length <= size) return [0];
  const stride = size - overlap;
  const starts: number[] = [];
  for (let at = 0; at + size < length; at += stride) starts.push(at);
  starts.push(length - size);
  return starts;
}

/** How many windows {@link windowStarts} makes (without making them). */
export function windowCount(length: number, size: number, overlap: number): number {
  return length <= size ? 1 : Math.ceil((length - size) / (size - overlap)) + 1;
}

/** The model inputs of `body` split into windows of `maxLength` tokens in all, each framed. */
export function windowSequences(body: readonly number[], frame: Frame, maxLength: number, overlap: number): number[][] {
  const size = maxLength - frame.prefix.length - frame.suffix.length;
  return windowStarts(body.length, size, overlap).map((at) => [...frame.prefix, ...body.slice(at, at + size), ...frame.suffix]);
}
