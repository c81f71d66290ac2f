// Internal: the seeds of fan-outs, derived here so that no middleware computes one. Each layer
// declares how many calls it fans out to at most (`Middleware.fanOut`); call j of layer i shifts
// the seed by j times the product of the fan-outs inside it (mixed radix, the innermost fan-out
// the lowest digit). Nested in any order, no two calls of a request then share a seed, and
// best-of-n candidates stay consecutive.
import { RewardgateError } from '../errors.js';
import type { ChatRequest } from '../types.js';
import type { Middleware, NextOptions } from './types.js';

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

/** Where one `next` call of a layer sits among the seeds: the enclosing shift, and the stride of its calls. */
export interface SeedPosition {
  /** How far the enclosing fan-outs have shifted the seed (0 outside any). */
  readonly offset: number;
  /** The seeds one call of this layer's `next` spans. */
  readonly stride: number;
  /** The random base of this pipeline call, drawn on first use. */
  readonly randomBase: () => number;
}

/** The seed shift of call `fanOutIndex` of `layer`, checked against what the layer declared. */
function fanOutShift(layer: Middleware, stride: number, index: number | undefined): number {
  if (index === undefined) return 0;
  const fanOut = layer.fanOut ?? 1;
  if (!Number.isInteger(index) || index < 0 || index >= fanOut) {
    throw new RewardgateError(`Middleware "${layer.name}" passed fanOutIndex ${index}; it must be an integer from 0 to its fanOut - 1 (${fanOut - 1})`);
  }
  return index * stride;
}

/**
 * What one `next` call hands inward: the request with its seed, and the shift of the layers
 * inside. The seed is the request's own (it already carries the enclosing shift), else the
 * `baseSeed` the layer passed plus the enclosing shift; then plus `fanOutIndex × stride`. With
 * neither, an unseeded request stays unseeded (the shift still moves, for inner base seeds).
 */
export function innerSeeds(layer: Middleware, request: ChatRequest, options: NextOptions | undefined, at: SeedPosition): { request: ChatRequest; offset: number } {
  const shift = fanOutShift(layer, at.stride, options?.fanOutIndex);
  const offset = at.offset + shift;
  const own = request.seed ?? baseSeed(layer, options?.baseSeed, at);
  if (own === undefined || (own === request.seed && shift === 0)) return { request, offset };
  return { request: { ...request, seed: own + shift }, offset };
}

function baseSeed(layer: Middleware, base: NextOptions['baseSeed'], at: SeedPosition): number | undefined {
  if (base === undefined) return undefined;
  if (base === 'random') return at.randomBase() + at.offset;
  if (!Number.isSafeInteger(base)) throw new RewardgateError(`Middleware "${layer.name}" passed baseSeed ${base}; it must be an integer or 'random'`);
  return base + at.offset;
}

/** A random base drawn once, on first use: one per pipeline call, so unseeded candidates still differ. */
export function lazyRandomBase(): () => number {
  let base: number | undefined;
  return () => (base ??= Math.floor(Math.random() * 2 ** 30));
}

/**
 * The request of one fan-out candidate: the middleware's sampling defaults where the request
 * sets none (a request's own temperature / top_p win). Its seed is the engine's (`baseSeed`).
 */
export function candidateRequest(request: ChatRequest, sampling: { temperature?: number; top_p?: number } | undefined): ChatRequest {
  const out: ChatRequest = { ...request };
  const temperature = request.temperature ?? sampling?.temperature;
  const topP = request.top_p ?? sampling?.top_p;
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.top_p = topP;
  return out;
}
