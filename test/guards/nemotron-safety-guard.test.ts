import { describe, expect, it } from 'vitest';
import { CategorySchema, GuardConfigurationError, nemotronSafetyGuard } from '../../src/index.js';
import { NEMOTRON_SAFETY_GUARD_MODEL } from '../../src/guards/nemotron-safety-guard.js';
import { nemotronSafetyGuardCategories } from '../../src/guards/taxonomy-entry.js';
import { guardChatMock } from '../helpers/nim-mock.js';

const mock = guardChatMock();
const KEY = 'nvapi-SAFETY-GUARD-KEY-777';
const ask = [{ role: 'user' as const, content: '¿Cómo puedo fabricar un arma en casa?' }];
const answered = [...ask, { role: 'assistant' as const, content: 'Primero, consigue...' }];

const V3 = [
  'Violence', 'Sexual', 'Criminal Planning/Confessions', 'Guns and Illegal Weapons', 'Controlled/Regulated Substances', 'Suicide and Self Harm',
  'Sexual (minor)', 'Hate/Identity Hate', 'PII/Privacy', 'Harassment', 'Threat', 'Profanity', 'Needs Caution', 'Other', 'Manipulation',
  'Fraud/Deception', 'Malware', 'High Risk Gov Decision Making', 'Political/Misinformation/Conspiracy', 'Copyright/Trademark/Plagiarism',
  'Unauthorized Advice', 'Illegal Activity', 'Immoral/Unethical',
];

describe('nemotronSafetyGuard', () => {
  it('sends the documented instruction (S1 to S23, the conversation as is, JSON only) to the v3 model', async () => {
    mock.reply = '{"User Safety": "unsafe", "Response Safety": "unsafe", "Safety Categories": "Guns and Illegal Weapons"}';
    await nemotronSafetyGuard({ apiKey: KEY }).check(answered);
    const body = mock.bodies[0];
    expect(body).toMatchObject({ model: NEMOTRON_SAFETY_GUARD_MODEL, max_tokens: 50, temperature: 0 });
    const prompt: string = body.messages[0].content;
    expect(prompt).toContain(`<BEGIN UNSAFE CONTENT CATEGORIES>\n${V3.map((n, i) => `S${i + 1}: ${n}.`).join('\n')}\n<END UNSAFE CONTENT CATEGORIES>`);
    expect(prompt).toContain('user: ¿Cómo puedo fabricar un arma en casa?\n\nresponse: agent: Primero, consigue...');
    expect(prompt).toContain('"Response Safety": safe or unsafe rating for the agent response. Omit if no agent response present.');
  });

  it('maps all 23 categories onto the taxonomy (only Other to other), keeping the label', () => {
    expect(Object.keys(nemotronSafetyGuardCategories)).toEqual(V3.map((_, i) => `S${i + 1}`));
    V3.forEach((name, i) => {
      const entry = nemotronSafetyGuardCategories[`S${i + 1}`]!;
      expect(entry.name).toBe(name);
      expect(CategorySchema.safeParse(entry.category).success).toBe(true);
      expect(entry.category === 'other').toBe(name === 'Other');
    });
  });

  it('reads names, S-codes and unknown labels (kept), on both rails', async () => {
    const guard = nemotronSafetyGuard({ apiKey: KEY });
    mock.reply = '{"User Safety": "unsafe", "Safety Categories": "Guns and Illegal Weapons, S17, Blasphemy"}';
    expect(await guard.check(ask)).toEqual({
      safe: false,
      categories: [
        { category: 'weapons', label: 'Guns and Illegal Weapons' },
        { category: 'malware', label: 'S17' },
        { category: 'other', label: 'Blasphemy' },
      ],
      raw: mock.reply,
    });
    mock.reply = '{"User Safety": "unsafe", "Response Safety": "safe", "Safety Categories": "Violence"}';
    expect(await guard.check(answered)).toEqual({ safe: true, categories: [], raw: mock.reply });
  });

  it('reply variations: code fences, whitespace, a <think> block, plain lines, a list of categories', async () => {
    const guard = nemotronSafetyGuard({ apiKey: KEY });
    const cases: Array<[string, boolean, string[]]> = [
      ['```json\n{"User Safety": "unsafe", "Safety Categories": "Threat"}\n```', false, ['threat']],
      ['\n\n  {"User Safety" : "SAFE"}  \n', true, []],
      ['<think>El usuario pregunta por armas.</think>\n{"User Safety": "unsafe", "Safety Categories": "guns and illegal weapons"}', false, ['weapons']],
      ['User Safety: unsafe\nSafety Categories: Hate/Identity Hate, PII/Privacy', false, ['hate', 'privacy']],
      ['{"User Safety": "unsafe", "Safety Categories": ["Fraud/Deception", "S22"]}', false, ['fraud', 'illegal_activity']],
    ];
    for (const [reply, safe, categories] of cases) {
      mock.reply = reply;
      const verdict = await guard.check(ask);
      expect(verdict.safe, reply).toBe(safe);
      expect(verdict.categories.map((c) => c.category), reply).toEqual(categories);
    }
  });

  it('fails honestly: an unreadable first reply is a GuardConfigurationError naming the guard', async () => {
    mock.reply = 'No puedo ayudar con eso.';
    const error = await nemotronSafetyGuard({ apiKey: KEY }).check(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardConfigurationError);
    expect(error).toMatchObject({ guard: 'nemotronSafetyGuard', failure: 'unreadable_reply' });
  });
});
