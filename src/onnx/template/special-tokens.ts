// Special tokens as transformers sees them: tokenizer_config.json names them (a string or an
// AddedToken object), config.json and generation_config.json give ids (a number or a list).
import { join } from 'node:path';
import { ModelLoadError } from '../../errors.js';

type Json = Record<string, unknown>;

/** The special-token attributes transformers passes to a chat template when they are set. */
export const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/** The text of a special token entry: `"<s>"` or `{ "content": "<s>", ... }`; undefined when unset. */
export function tokenContent(value: unknown, key: string, dir: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  throw new ModelLoadError(`tokenizer_config.json: ${key} must be a string or an AddedToken object with "content"`, {
    file: join(dir, 'tokenizer_config.json'),
  });
}

/** Token ids from a config field that holds a number or a list of numbers. */
export function configIds(config: Json | undefined, key: string, file: string): number[] {
  const value = config?.[key];
  if (value === undefined || value === null) return [];
  const ids = Array.isArray(value) ? value : [value];
  if (!ids.every((id) => Number.isInteger(id) && (id as number) >= 0)) {
    throw new ModelLoadError(`${file}: ${key} must be a token id or a list of token ids`, { file });
  }
  return ids as number[];
}

/** The template variables for special tokens: the set ones, plus extra_special_tokens' names. */
export function templateTokens(config: Json, dir: string): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const content = tokenContent(config[key], key, dir);
    if (content) vars[key] = content;
  }
  const additional = config.additional_special_tokens;
  if (Array.isArray(additional) && additional.length > 0) {
    vars.additional_special_tokens = additional.map((t, i) => tokenContent(t, `additional_special_tokens[${i}]`, dir));
  }
  const extra = config.extra_special_tokens;
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [key, value] of Object.entries(extra)) {
      const content = tokenContent(value, `extra_special_tokens.${key}`, dir);
      if (content && !(key in vars)) vars[key] = content;
    }
  }
  return vars;
}

/** The part of a tokenizer that maps token text to ids. */
export interface TokenLookup {
  token_to_id(token: string): number | undefined;
  get_added_tokens_decoder(): Map<number, { special: boolean }>;
}

interface Configs {
  dir: string;
  config: Json;
  modelConfig: Json | undefined;
  generationConfig: Json | undefined;
}

/**
 * bos / pad: tokenizer_config.json's token, else generation_config.json's id, else config.json's.
 * eos: every id named anywhere, generation_config.json's first (generation stops on any of them).
 */
export function specialTokenIds(tokenizer: TokenLookup, { dir, config, modelConfig, generationConfig }: Configs) {
  const genFile = join(dir, 'generation_config.json');
  const cfgFile = join(dir, 'config.json');
  const idOf = (key: string): number | undefined => {
    const content = tokenContent(config[key], key, dir);
    return content === undefined ? undefined : tokenizer.token_to_id(content);
  };
  const firstId = (key: string) =>
    idOf(`${key}_token`) ?? configIds(generationConfig, `${key}_token_id`, genFile)[0] ?? configIds(modelConfig, `${key}_token_id`, cfgFile)[0];
  const eos = idOf('eos_token');
  const special = new Set<number>();
  for (const [id, token] of tokenizer.get_added_tokens_decoder()) if (token.special) special.add(id);
  return {
    bosTokenId: firstId('bos'),
    eosTokenIds: [
      ...new Set([
        ...configIds(generationConfig, 'eos_token_id', genFile),
        ...configIds(modelConfig, 'eos_token_id', cfgFile),
        ...(eos === undefined ? [] : [eos]),
      ]),
    ],
    padTokenId: firstId('pad'),
    specialTokenIds: special as ReadonlySet<number>,
  };
}
