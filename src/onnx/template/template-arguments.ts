// What render() hands the chat template, checked the way transformers' apply_chat_template checks
// it: messages in the OpenAI shape (tool-call arguments may also be an object, which templates
// render with tojson), `tools` and `documents` as lists of objects, and extra keyword arguments.
import { ValidationError } from '../../errors.js';
import { validate } from '../../internal/validate.js';
import { ConversationSchema } from '../../types.js';

/** Checks `messages` against the message shape; tool-call arguments may be a string or an object. */
export function validateMessages(messages: unknown): void {
  // Object arguments (what Python callers pass) are checked as if they were their JSON text.
  const probe = Array.isArray(messages)
    ? messages.map((m: unknown) => {
        const calls = isObject(m) ? m.tool_calls : undefined;
        if (!Array.isArray(calls)) return m;
        const tool_calls = calls.map((c: unknown) => {
          const fn = isObject(c) ? c.function : undefined;
          return isObject(fn) && isObject(fn.arguments) ? { ...c as object, function: { ...fn, arguments: '{}' } } : c;
        });
        return { ...(m as object), tool_calls };
      })
    : messages;
  validate(ConversationSchema, probe, 'messages');
}

interface RenderArguments {
  tools?: readonly object[] | null | undefined;
  documents?: readonly object[] | null | undefined;
  variables?: Record<string, unknown> | undefined;
}

/** The template's `tools`, `documents` and other keyword arguments, or a ValidationError naming the option. */
export function templateArguments(options: RenderArguments): { tools: unknown; documents: unknown; variables: Record<string, unknown> } {
  const issues: Array<{ path: string; message: string }> = [];
  const variables: Record<string, unknown> = {};
  if (options.variables !== undefined && !isObject(options.variables)) issues.push({ path: 'variables', message: 'must be an object of template variables' });
  const given = isObject(options.variables) ? options.variables : {};
  for (const [key, value] of Object.entries(given)) {
    if (key === 'messages') issues.push({ path: 'variables.messages', message: 'the messages are the first argument of render(), not a variable' });
    else if (key === 'add_generation_prompt' || key === 'continue_final_message') {
      issues.push({ path: `variables.${key}`, message: `pass ${key === 'add_generation_prompt' ? 'addGenerationPrompt' : 'continueFinalMessage'} instead` });
    } else if ((key === 'tools' || key === 'documents') && options[key] !== undefined) {
      issues.push({ path: `variables.${key}`, message: `${key} is given twice (as an option and as a variable)` });
    } else variables[key] = value;
  }
  const list = (name: 'tools' | 'documents', message: string): unknown => {
    const value = options[name] !== undefined ? options[name] : variables[name];
    delete variables[name];
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value)) {
      issues.push({ path: name, message: `must be a list of objects (${message})` });
      return null;
    }
    value.forEach((item: unknown, i) => {
      if (!isObject(item) || Array.isArray(item)) issues.push({ path: `${name}[${i}]`, message });
    });
    return plainCopy(value);
  };
  const tools = list('tools', 'each tool must be a JSON schema object, e.g. { type: "function", function: { name, parameters } }');
  const documents = list('documents', "each document must be an object with 'title' and 'text' keys");
  if (issues.length > 0) throw new ValidationError('render options', issues);
  return { tools, documents, variables };
}

/** A deep copy of JSON-like data without the keys whose value is undefined (absent in JSON). */
export function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (!isObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = plainCopy(item);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
