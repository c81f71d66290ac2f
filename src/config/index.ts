// The pipeline config file (JSON or YAML) shared by `rewardgate serve` and createGuardServer.
export { loadConfig, parseConfig } from './load.js';
export type { ConfigOptions } from './load.js';
export { GuardConfigFileSchema } from './schema.js';
export type { GuardConfigFile, GuardConfigInput } from './schema.js';
export { buildFromConfig } from './build.js';
export type { BuildOptions, BuiltPipeline } from './build.js';
