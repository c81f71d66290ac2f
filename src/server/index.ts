// rewardgate/server: the OpenAI-compatible guard proxy (Node only) and its config file.
export { createGuardServer } from './create-guard-server.js';
export type { GuardServer, GuardServerHooks } from './create-guard-server.js';
export type { AccessLogOptions, AnswerLimits, LineSink, CorsOptions, GuardServerAddress, GuardServerOptions, ListenTimeouts, PassThroughOptions } from './options.js';
export { checkParts } from './start-check.js';
export type { CheckedParts, PartCheck, StartCheck } from './start-check.js';
export { createNodeFetch } from './node-fetch.js';
export type { NodeFetchOptions } from './node-fetch.js';
export { boundedFetch, AnswerTooLargeError, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_ANSWER_CHARS } from '../integrations/wire/answer-limit.js';
export type { NimRewardCompletion } from './reward-route.js';
export { buildFromConfig, loadConfig, parseConfig, GuardConfigFileSchema } from '../config/index.js';
export type { BuildOptions, BuiltPipeline, ConfigOptions, GuardConfigFile, GuardConfigInput } from '../config/index.js';
