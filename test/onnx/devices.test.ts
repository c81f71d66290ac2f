import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.js';
import { openSession } from '../../src/onnx/devices.js';
import { loadRuntime } from '../../src/onnx/runtime.js';

const model = 'test/fixtures/models/tiny-reward/model.onnx';

// This machine (and CI) has no GPU and no CUDA provider libraries: the fallback path is what runs.
describe('device selection', () => {
  it("'auto' falls back to CPU and says why CUDA and WebGPU were skipped", async () => {
    const ort = await loadRuntime();
    const opened = await openSession(ort, model, 'auto');
    try {
      expect(opened.device).toBe('cpu');
      expect(opened.provider).toBe('CPUExecutionProvider');
      expect(opened.skipped.map((s) => s.device)).toEqual(['cuda', 'webgpu']);
      expect(opened.skipped[0]!.reason).toMatch(/no NVIDIA driver/);
      expect(opened.skipped[1]!.reason).toMatch(/WebGPU adapter/);
      expect(opened.session.inputNames).toEqual(['input_ids', 'attention_mask']);
    } finally {
      await opened.session.release();
    }
  });

  it('an explicit CUDA device that cannot load fails with the reason and how to get the provider', async () => {
    const ort = await loadRuntime();
    const error = await openSession(ort, model, 'cuda').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).file).toBe(model);
    expect((error as Error).message).toMatch(/on cuda: .*Failed to load shared library/);
    expect((error as Error).message).toMatch(/install script downloads them on linux-x64/);
  });

  it('an explicit WebGPU device without an adapter fails and names the Vulkan requirement', async () => {
    const ort = await loadRuntime();
    await expect(openSession(ort, model, 'webgpu')).rejects.toThrow(/on webgpu: .*No supported adapters.*Vulkan/);
  });

  it("'cpu' opens directly with nothing skipped", async () => {
    const ort = await loadRuntime();
    const opened = await openSession(ort, model, 'cpu');
    expect(opened.skipped).toEqual([]);
    await opened.session.release();
  });
});

describe('runtime loading', () => {
  it('imports onnxruntime-node once and reuses it', async () => {
    expect(await loadRuntime()).toBe(await loadRuntime());
  });

  it('a missing onnxruntime-node is a ModelLoadError that says how to install it', async () => {
    const error = await loadRuntime('onnxruntime-node-missing-for-test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/onnxruntime-node-missing-for-test is not installed/);
    expect((error as Error).message).toMatch(/npm install onnxruntime-node/);
  });
});
