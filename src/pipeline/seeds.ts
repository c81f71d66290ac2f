// Internal: the seeds of fan-outs. Each layer declares how many calls it fans out to at most
// (`Middleware.fanOut`); call j of layer i shifts the seed by j times the product of the
// fan-outs inside it (mixed radix, the innermost fan-out the lowest digit). Nested in any
// order, no two calls of a request then share a seed, and best-of-n candidates stay consecutive.
import { RewardgateError } from '../errors.js';
import type { ChatRequest } from '../types.js';
import type { Middleware } from './types.js';

/** `strides[i]`: the seeds one call of layer i's `next` spans (the product of the fan-outs inside). */
export function seedStrides(layers: readonly Middleware[]): number[] {
  const strides = new Array<number>(layers.length);
  let span = 1;
  for (let i = layers.length - 1; i >= 0; i--) {
    strides[i] = span;
    span *= layers[i]!.fanOut ?? 1;
  }
  return strides;
}

/** The seed offset inside call `index` of `layer`, checked against what the layer declared. */
export function innerSeedOffset(layer: Middleware, offset: number, stride: number, index: number | undefined): number {
  if (index === undefined) return offset;
  const fanOut = layer.fanOut ?? 1;
  if (!Number.isInteger(index) || index < 0 || index >= fanOut) {
    throw new RewardgateError(`Middleware "${layer.name}" passed fanOutIndex ${index}; it must be an integer from 0 to its fanOut - 1 (${fanOut - 1})`);
  }
  return offset + index * stride;
}

/**
 * The request of one fan-out candidate: its own seed, and the middleware's sampling defaults
 * where the request sets none (a request's own temperature / top_p win).
 */
export function candidateRequest(request: ChatRequest, sampling: { temperature?: number; top_p?: number } | undefined, seed: number): ChatRequest {
  const out: ChatRequest = { ...request, seed };
  const temperature = request.temperature ?? sampling?.temperature;
  const topP = request.top_p ?? sampling?.top_p;
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.top_p = topP;
  return out;
}
