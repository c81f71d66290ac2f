// Internal: one speculativeBestOfN call as a stream. All candidates advance to a checkpoint (each
// then waits with no read pending), are scored in one batch, and the weakest are closed; repeat
// until one is left (it streams live) or all survivors have finished (rescored, the best is replayed).
import type { SpeculativeBestOfNOptions } from './speculative-best-of-n.js';
import { SpeculativeRace } from './speculative-race.js';
import type { LayerEvent, PipelineContext, StreamNext } from '../../pipeline/types.js';

export async function* speculativeRun(ctx: PipelineContext, next: StreamNext, opts: SpeculativeBestOfNOptions): AsyncGenerator<LayerEvent> {
  const race = new SpeculativeRace(ctx, next, opts);
  let decided = false;
  try {
    await race.runCheckpoints();
    const winner = yield* race.deliverWinner();
    race.recordSpent();
    decided = true;
    yield { type: 'finish', completion: winner.completion! };
  } finally {
    // Whatever ended the call (the answer, an abort, an error, a consumer that stopped reading).
    await race.close(decided);
  }
}
