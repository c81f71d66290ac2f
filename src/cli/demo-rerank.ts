// `rewardgate demo --rerank`: speculative best-of-n, printed as it happens: each checkpoint's
// scores and the candidates it prunes, then the survivor's answer streaming live.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GuardConfigInput } from '../config/schema.js';
import type { GuardedModel, PipelineEvent } from '../pipeline/types.js';
import type { DemoModels } from './find-models.js';

/**
 * Token counts of the demo's checkpoints. The fixture answers run 10 to 45 tokens and
 * tiny-reward-prefix judges openings well (see docs/pipeline.md), so the cuts come early: keeping
 * half each time, 8 candidates are down to one by 16 tokens and it streams live from there.
 */
export const RERANK_CHECKPOINTS = [4, 8, 12, 16];
/** Hosted models write long answers: a checkpoint every 32 tokens. */
export const NIM_RERANK_CHECKPOINTS = { everyTokens: 32 };

const step = (n: number, checkpoints: number[] | { everyTokens: number }) => ({ speculativeBestOfN: { n, scorer: 'reward', checkpoints, sampling: { temperature: 1 } } });

/** The checkpoints in words, for the demo's header. */
export function describeCheckpoints(checkpoints: number[] | { everyTokens: number }): string {
  return Array.isArray(checkpoints) ? `at ${checkpoints.join(', ')} tokens` : `every ${checkpoints.everyTokens} tokens`;
}

/** A fixture beside the demo models, when this copy has it (tiny-agent has a KV cache: faster). */
function beside(models: DemoModels, name: string, file: string): string | undefined {
  const path = join(dirname(models['tiny-reward']), name);
  return existsSync(join(path, file)) ? path : undefined;
}

/**
 * The offline rerank pipeline: tiny-agent samples and tiny-reward-prefix (tiny-reward tuned on
 * partial answers) scores partial and whole answers; tiny-chat and tiny-reward where those are absent.
 */
export function offlineRerankConfig(models: DemoModels, n: number, device: 'auto' | 'cpu' | 'cuda' | 'webgpu'): GuardConfigInput {
  const agent = beside(models, 'tiny-agent', 'onnx/model.onnx');
  const prefix = beside(models, 'tiny-reward-prefix', 'model.onnx');
  return {
    upstream: agent ? { onnx: { path: agent, device }, model: 'tiny-agent' } : { onnx: { path: models['tiny-chat'], device }, model: 'tiny-chat' },
    scorers: { reward: { onnx: { path: prefix ?? models['tiny-reward'], device } } },
    pipeline: [step(n, RERANK_CHECKPOINTS)],
  };
}

/** The same on NIM models (hosted, or a self-hosted NIM at `baseURL`). */
export function nimRerankConfig(apiKey: string, n: number, baseURL = 'https://integrate.api.nvidia.com/v1'): GuardConfigInput {
  return {
    upstream: { baseURL, apiKey, model: 'meta/llama-3.1-8b-instruct' },
    scorers: { reward: { nim: { model: 'nvidia/llama-3.1-nemotron-70b-reward', baseURL, apiKey } } },
    pipeline: [step(n, NIM_RERANK_CHECKPOINTS)],
  };
}

interface Out {
  write(text: string): unknown;
}

/** Streams one prompt through the rerank pipeline, writing the pruning and the answer as they come. */
export async function streamRerank(model: GuardedModel, request: Parameters<GuardedModel['stream']>[0], out: Out, signal?: AbortSignal): Promise<void> {
  const started = performance.now();
  let firstAt: number | undefined;
  for await (const event of model.stream(request, signal ? { signal } : {})) {
    if (event.type === 'text-delta') {
      if (firstAt === undefined) {
        firstAt = performance.now();
        out.write('  answer: ');
      }
      out.write(event.text);
    } else if (event.type === 'checkpoint') out.write(`${describeCheckpoint(event)}\n`);
    else if (event.type === 'finish') {
      if (firstAt !== undefined) out.write('\n');
      const { report } = event.completion;
      const summary = report.speculative?.at(-1);
      const chosen = report.chosen === null ? undefined : report.candidates[report.chosen];
      const first = firstAt === undefined ? '-' : `${((firstAt - started) / 1000).toFixed(2)} s`;
      out.write(`  => sample ${chosen?.labels.sample ?? '-'} (reward ${chosen?.score ? chosen.score.value.toFixed(2) : '-'}); `);
      if (summary) out.write(`${summary.tokens} tokens generated of ~${summary.fullEstimate} for full best-of-${summary.n} (${summary.ratio.toFixed(2)}x); `);
      out.write(`first token after ${first}, ${((performance.now() - started) / 1000).toFixed(2)} s in all\n`);
    }
  }
}

function describeCheckpoint(e: Extract<PipelineEvent, { type: 'checkpoint' }>): string {
  const head = `  checkpoint ${e.checkpoint} (${e.at} tokens):`;
  if (e.error) return `${head} scorer failed (${e.error.message}); nothing pruned`;
  const kept = new Set(e.kept);
  const scores = [...e.scores].sort((a, b) => a.sample - b.sample).map((s) => `#${s.sample} ${s.score.value.toFixed(1)}${s.finished ? '*' : ''}`);
  const pruned = e.scores.filter((s) => !kept.has(s.sample)).map((s) => `#${s.sample}`);
  return `${head} ${scores.join('  ')}  -> pruned ${pruned.length ? pruned.join(' ') : 'none'}, ${kept.size} left`;
}
