// Every fix that makes @huggingface/jinja render chat templates the Python (transformers) way, each
// checked against output that Python Jinja2 produced (test/fixtures/tokenizers/make-template-refs.py).
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { ChatTemplate, TemplateRaisedError } from '../../src/onnx/template/chat-template.js';

interface RefCase {
  name: string;
  template: string;
  context: Record<string, unknown>;
  expected?: string;
  error?: string;
}
const refs = JSON.parse(
  readFileSync(new URL('../fixtures/tokenizers/template-python-refs.json', import.meta.url), 'utf8'),
) as { cases: RefCase[] };
const now = () => new Date(2024, 6, 26, 9, 5, 3); // the local time the Python script pinned

// Cases where plain @huggingface/jinja already agrees with Python: kept as regression checks.
const LIBRARY_AGREES = new Set([
  'tojson-default',
  'tojson-separators',
  'tojson-ensure-ascii',
  'tojson-controls',
  'trailing-newline',
  'blocks-whitespace',
  'namespace-items',
  'range',
  'loop-controls',
  'raise-exception',
  'real-qwen3-tools',
  'real-gemma3-content-parts',
  'real-gemma3-alternation',
  'misc-macro',
  'whitespace-comments',
  'whitespace-unicode',
  'generation-tags',
]);

function renderLibrary(c: RefCase): string {
  try {
    return new Template(c.template).render({ ...c.context });
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe('chat templates render with Python Jinja2 semantics', () => {
  it('has the Python reference cases', () => {
    expect(refs.cases.length).toBe(59);
  });

  for (const c of refs.cases) {
    it(`${c.name}: renders exactly what Python renders`, () => {
      const template = new ChatTemplate(c.template, { now });
      if (c.error !== undefined) {
        expect(() => template.render(c.context)).toThrow(TemplateRaisedError);
        expect(() => template.render(c.context)).toThrow(c.error);
      } else {
        expect(template.render(c.context)).toBe(c.expected);
      }
    });

    if (!LIBRARY_AGREES.has(c.name)) {
      // Proves the fix is needed: without it the library renders something else (or fails).
      it(`${c.name}: differs from plain @huggingface/jinja`, () => {
        expect(renderLibrary(c)).not.toBe(c.expected ?? `error: ${c.error}`);
      });
    }
  }
});

describe('chat template details', () => {
  it('treats {% generation %} blocks as plain content, as transformers does', () => {
    const plain = new ChatTemplate('{% for m in messages %}<{{ m.content }}>{% endfor %}');
    const tracked = new ChatTemplate('{% for m in messages %}{% generation %}<{{ m.content }}>{% endgeneration %}{% endfor %}');
    const messages = [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }];
    expect(tracked.render({ messages })).toBe(plain.render({ messages }));
    expect(tracked.render({ messages })).toBe('<a><b>');
  });

  it('lets a caller variable shadow a global such as namespace or range', () => {
    const t = new ChatTemplate('{{ namespace }}-{{ range }}');
    expect(t.render({ namespace: 'ns', range: 3 })).toBe('ns-3');
  });

  it('throws the parser error for a template that does not parse', () => {
    expect(() => new ChatTemplate('{% if %}')).toThrow();
  });

  it('uses the current time for strftime_now when no clock is given', () => {
    const year = String(new Date().getFullYear());
    expect(new ChatTemplate("{{ strftime_now('%Y') }}").render({})).toBe(year);
  });
});
