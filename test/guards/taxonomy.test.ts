import { describe, expect, it } from 'vitest';
import { CategorySchema, guardFromFunction, ValidationError } from '../../src/index.js';
import { mapCategory, promptGuardCategories } from '../../src/guards/taxonomy-entry.js';

describe('taxonomy: attacks and topics', () => {
  it('has jailbreak, prompt_injection and off_topic, usable in verdicts', async () => {
    for (const c of ['jailbreak', 'prompt_injection', 'off_topic']) expect(CategorySchema.parse(c)).toBe(c);
    const guard = guardFromFunction(() => ({ safe: false, categories: [{ category: 'prompt_injection', label: 'MALICIOUS' }] }));
    expect((await guard.check([{ role: 'user', content: 'x' }])).categories[0]!.category).toBe('prompt_injection');
    await expect(guardFromFunction(() => ({ safe: false, categories: [{ category: 'injection' as never, label: 'x' }] })).check([{ role: 'user', content: 'x' }])).rejects.toBeInstanceOf(ValidationError);
  });

  it('maps prompt-injection classifier labels, and Nemotron Safety Guard names or S-codes', () => {
    expect(promptGuardCategories).toEqual({ MALICIOUS: 'prompt_injection', INJECTION: 'prompt_injection', JAILBREAK: 'jailbreak' });
    expect(mapCategory('prompt-guard', 'malicious')).toEqual({ category: 'prompt_injection', label: 'malicious' });
    expect(mapCategory('prompt-guard', 'JAILBREAK')).toEqual({ category: 'jailbreak', label: 'JAILBREAK' });
    expect(mapCategory('prompt-guard', 'BENIGN')).toEqual({ category: 'other', label: 'BENIGN' });
    expect(mapCategory('nemotron-safety-guard', 'S8')).toEqual({ category: 'hate', label: 'S8' });
    expect(mapCategory('nemotron-safety-guard', ' pii/privacy ')).toEqual({ category: 'privacy', label: 'pii/privacy' });
    expect(mapCategory('nemotron-safety-guard', 'S24')).toEqual({ category: 'other', label: 'S24' });
    // NemoGuard's own numbering is not keyed on: an S-code there is unknown.
    expect(mapCategory('nemoguard', 'S8')).toEqual({ category: 'other', label: 'S8' });
  });
});
