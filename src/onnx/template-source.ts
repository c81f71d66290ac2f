// Where a model folder keeps its chat template: `chat_template.jinja` (the current layout), else
// `chat_template` in tokenizer_config.json, a string or a list of named templates.
import { join } from 'node:path';
import { ModelLoadError } from '../errors.js';
import { readModelText } from './model-files.js';

export interface TemplateSource {
  source: string;
  /** The file it came from, for error messages. */
  file: string;
}

/** The chat template to use, or undefined when the folder has none. */
export async function findChatTemplate(
  dir: string,
  config: Record<string, unknown>,
  name = 'default',
): Promise<TemplateSource | undefined> {
  // transformers keeps the default in chat_template.jinja and others in additional_chat_templates/.
  const jinjaName = name === 'default' ? 'chat_template.jinja' : join('additional_chat_templates', `${name}.jinja`);
  const jinja = await readModelText(dir, jinjaName, false);
  if (jinja !== undefined) return { source: jinja, file: join(dir, jinjaName) };
  const file = join(dir, 'tokenizer_config.json');
  const value = config.chat_template;
  if (value === undefined || value === null) {
    if (name === 'default') return undefined;
    throw new ModelLoadError(`tokenizer_config.json has no chat templates, so none named "${name}"`, { file });
  }
  if (typeof value === 'string') {
    if (name === 'default') return { source: value, file };
    throw new ModelLoadError(`tokenizer_config.json has a single chat template, none named "${name}"`, { file });
  }
  if (!Array.isArray(value)) {
    throw new ModelLoadError('tokenizer_config.json: chat_template must be a string or a list of { name, template }', { file });
  }
  const named = value.filter(
    (t): t is { name: string; template: string } =>
      typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.template === 'string',
  );
  if (named.length !== value.length) {
    throw new ModelLoadError('tokenizer_config.json: every chat_template entry needs a string name and template', { file });
  }
  const match = named.find((t) => t.name === name);
  if (!match) {
    const names = named.map((t) => t.name).join(', ');
    throw new ModelLoadError(`tokenizer_config.json has no chat template named "${name}" (it has: ${names})`, { file });
  }
  return { source: match.template, file };
}
