import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildFromConfig } from '../../src/config/index.js';
import { ModelLoadError, ValidationError } from '../../src/errors.js';

const GUARD = 'test/fixtures/models/tiny-guard';
const CHAT = 'test/fixtures/models/tiny-chat';

afterEach(() => {
  vi.restoreAllMocks();
});

// Every onnxruntime session created, and whether it was released.
function trackSessions() {
  const sessions: Array<{ released: boolean }> = [];
  const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (...args: unknown[]) => Promise<ort.InferenceSession>;
  vi.spyOn(ort.InferenceSession, 'create').mockImplementation((async (...args: unknown[]) => {
    const session = await create(...args);
    const entry = { released: false };
    sessions.push(entry);
    const release = session.release.bind(session);
    session.release = async () => {
      entry.released = true;
      await release();
    };
    return session;
  }) as typeof ort.InferenceSession.create);
  return sessions;
}

describe('buildFromConfig', () => {
  it('releases every local model when one of them fails to load, also those still loading then', async () => {
    const sessions = trackSessions();
    const config = {
      upstream: { onnx: { path: CHAT, device: 'cpu' as const } },
      // The missing scorer fails at once, while the chat model and the guard are still loading.
      scorers: { reward: { onnx: { path: 'test/fixtures/models/no-such-model', device: 'cpu' as const } } },
      guards: { g1: { onnx: { path: GUARD, device: 'cpu' as const } }, g2: { onnx: { path: GUARD, device: 'cpu' as const } } },
      pipeline: [{ safety: { guard: 'g1' } }, { safety: { guard: 'g2' } }, { bestOfN: { n: 2, scorer: 'reward' } }],
    };
    await expect(buildFromConfig(config)).rejects.toBeInstanceOf(ModelLoadError);
    // Loads that were in flight when the build failed must not leave sessions behind.
    await vi.waitFor(() => expect(sessions).toHaveLength(3), { timeout: 20_000 });
    expect(sessions.every((s) => s.released)).toBe(true);
  });

  it("names the step's path when a step's own options clash (onGuardError with its older name failMode)", async () => {
    const config = {
      upstream: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' },
      guards: { g: { nemoguard: { baseURL: 'http://127.0.0.1:9/v1', model: 'guard' } } },
      pipeline: [{ toolPolicy: { maxCalls: 2 } }, { safety: { guard: 'g', onGuardError: 'allow' as const, failMode: 'closed' as const } }],
    };
    const error = await buildFromConfig(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: 'pipeline[1].safety.failMode', message: 'give onGuardError or its older name failMode, not both' }]);
    expect((error as ValidationError).message).toBe('Invalid config: pipeline[1].safety.failMode: give onGuardError or its older name failMode, not both');
  });
});
