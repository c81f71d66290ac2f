// Builds a remote guard from its config entry (the ONNX entry is loaded by build.ts).
import { contentSafetyReasoning } from '../guards/content-safety-reasoning.js';
import { jailbreakDetect } from '../guards/jailbreak-detect.js';
import { llamaGuard } from '../guards/llama-guard.js';
import { nemoguard } from '../guards/nemoguard.js';
import { nemotronSafetyGuard } from '../guards/nemotron-safety-guard.js';
import { topicControl } from '../guards/topic-control.js';
import type { Guard } from '../interfaces.js';
import type { GuardConfigFile } from './schema.js';

type GuardEntry = GuardConfigFile['guards'][string];

/** The guard of a remote entry (`nemoguard`, `llamaGuard`, `nemotronSafetyGuard`, `topicControl`, `contentSafetyReasoning`, `jailbreakDetect`). */
export function remoteGuard(entry: GuardEntry): Guard {
  const connection = (e: { model?: string | undefined; baseURL?: string | undefined; apiKey?: { reveal(): string } | undefined }) => ({
    ...(e.model ? { model: e.model } : {}),
    ...(e.baseURL ? { baseURL: e.baseURL } : {}),
    ...(e.apiKey ? { apiKey: e.apiKey.reveal() } : {}),
  });
  if (entry.nemoguard) return nemoguard(connection(entry.nemoguard));
  if (entry.llamaGuard) return llamaGuard(connection(entry.llamaGuard));
  if (entry.nemotronSafetyGuard) return nemotronSafetyGuard(connection(entry.nemotronSafetyGuard));
  if (entry.topicControl) return topicControl({ ...connection(entry.topicControl), rules: entry.topicControl.rules });
  if (entry.contentSafetyReasoning) {
    const { policy, reasoning } = entry.contentSafetyReasoning;
    return contentSafetyReasoning({ ...connection(entry.contentSafetyReasoning), ...(policy ? { policy } : {}), ...(reasoning !== undefined ? { reasoning } : {}) });
  }
  return jailbreakDetect(connection(entry.jailbreakDetect!));
}
