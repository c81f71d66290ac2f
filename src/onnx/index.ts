// rewardgate/onnx: local models with onnxruntime-node (an optional peer, imported on first use).

export { loadScorer } from './scorer.js';
export type { LoadScorerOptions, LocalScorer } from './scorer.js';
export { loadGuard } from './guard.js';
export type { LoadGuardOptions, LocalGuard, LocalGuardRaw } from './guard.js';
export { loadChatModel } from '../models/onnx.js';
export type { LoadChatModelOptions, LocalChatModel, LocalCompletion } from '../models/onnx.js';
export type { DecodeStats } from './causal-lm-session.js';
export type { SessionOptions } from './session-options.js';
export { loadTokenizer } from './tokenizer.js';
export type { ChatTokenizer, RenderOptions, LoadTokenizerOptions } from './tokenizer.js';
export type { Device, DeviceInfo, SkippedDevice } from './devices.js';
export type { Truncation } from './conversation-fit.js';
export type { GuardTruncation } from './guard-input.js';
export type { RunStats } from './classifier-session.js';
export type { Dtype, ModelFileOptions } from './options.js';
