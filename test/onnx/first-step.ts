// The first decoding step of a fixture chat model against its PyTorch references (tiny-agent,
// tiny-writer): one batched prefill over every reference prompt, each row's top-5 logits within 1e-4.
import { expect } from 'vitest';
import { openCausalLM } from '../../src/onnx/causal-lm-session.js';
import { readModelFolder } from '../../src/onnx/model-folder.js';

export interface FirstStepCase {
  name: string;
  prompt_ids: number[];
  first_step_top5: Array<{ id: number; logit: number }>;
}

export async function expectFirstStepLogits(dir: string, cases: readonly FirstStepCase[]): Promise<void> {
  const lm = await openCausalLM(await readModelFolder(dir), 'cpu', { padId: 0 });
  try {
    const { batch, logits } = await lm.start(cases.map((c) => c.prompt_ids));
    batch.release();
    cases.forEach((c, r) => {
      for (const { id, logit } of c.first_step_top5) expect(Math.abs(logits[r]![id]! - logit), c.name).toBeLessThan(1e-4);
    });
  } finally {
    await lm.close();
  }
}
