// rewardgate/server: the OpenAI-compatible guard proxy (Node only) and its config file.
export { createGuardServer } from './create-guard-server.js';
export type { GuardServer, GuardServerHooks } from './create-guard-server.js';
export type { GuardServerAddress, GuardServerOptions } from './options.js';
export type { NimRewardCompletion } from './reward-route.js';
export { buildFromConfig, loadConfig, parseConfig, GuardConfigFileSchema } from '../config/index.js';
export type { BuildOptions, BuiltPipeline, ConfigOptions, GuardConfigFile, GuardConfigInput } from '../config/index.js';
