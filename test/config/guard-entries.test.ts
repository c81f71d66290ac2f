// The config file's entries for the NVIDIA safety family: parsed, validated by key, and built
// into guards that call their services (msw stands in for the remote NIM services).
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { buildFromConfig, parseConfig } from '../../src/config/index.js';
import { ValidationError } from '../../src/errors.js';
import { remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();
const GUARDS = 'https://guards.test/v1';
const JAILBREAK = 'https://jailbreak.test:8000';
const upstream = { baseURL: 'https://upstream.test/v1', model: 'm' };

describe('config: guard entries', () => {
  it('builds every kind, each calling its own service the documented way', async () => {
    const chatBodies: any[] = [];
    const classify: any[] = [];
    server.use(
      http.post(`${GUARDS}/chat/completions`, async ({ request }) => {
        const body = (await request.json()) as any;
        chatBodies.push({ body, auth: request.headers.get('authorization') });
        const reply = body.model.includes('topic') ? 'off-topic' : body.model.includes('Reasoning') ? 'Prompt harm: harmful\nResponse harm: None' : '{"User Safety": "unsafe", "Safety Categories": "Violence"}';
        return HttpResponse.json({ choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }] });
      }),
      http.post(`${JAILBREAK}/v1/classify`, async ({ request }) => {
        classify.push({ body: await request.json(), auth: request.headers.get('authorization') });
        return HttpResponse.json({ jailbreak: true, score: 0.9 });
      }),
    );
    const built = await buildFromConfig({
      upstream,
      guards: {
        multilingual: { nemotronSafetyGuard: { baseURL: GUARDS, apiKey: 'k1' } },
        topics: { topicControl: { baseURL: GUARDS, apiKey: 'k2', rules: 'Cooking only.' } },
        policy: { contentSafetyReasoning: { baseURL: GUARDS, policy: 'S1: Competitors.', reasoning: 'true' as never } },
        jailbreak: { jailbreakDetect: { baseURL: JAILBREAK, apiKey: 'k3' } },
      },
      pipeline: [{ safety: { guard: 'jailbreak' } }],
    });
    try {
      const ask = [{ role: 'user' as const, content: 'Tell me about BrandX' }];
      expect(await built.guards.multilingual!.check(ask)).toMatchObject({ safe: false, categories: [{ category: 'violence' }] });
      expect(await built.guards.topics!.check(ask)).toMatchObject({ safe: false, categories: [{ category: 'off_topic' }] });
      expect(await built.guards.policy!.check(ask)).toMatchObject({ safe: false, categories: [{ category: 'other', label: 'Prompt harm' }] });
      expect(await built.guards.jailbreak!.check(ask)).toMatchObject({ safe: false, categories: [{ category: 'jailbreak', score: 0.9 }] });
      expect(chatBodies.map((c) => c.body.model)).toEqual([
        'nvidia/llama-3.1-nemotron-safety-guard-8b-v3',
        'nvidia/llama-3.1-nemoguard-8b-topic-control',
        'nvidia/Nemotron-Content-Safety-Reasoning-4B',
      ]);
      expect(chatBodies.map((c) => c.auth)).toEqual(['Bearer k1', 'Bearer k2', null]);
      expect(chatBodies[1].body.messages[0].content).toContain('Cooking only.\n\nIf any of the above conditions are violated');
      expect(chatBodies[2].body.messages[0].content).toMatch(/S1: Competitors\.[\s\S]*\/think$/);
      expect(classify).toEqual([{ body: { input: 'Tell me about BrandX' }, auth: 'Bearer k3' }]);
    } finally {
      await built.close();
    }
  });

  it('says what is wrong, by key: topic rules missing, an unknown key, two kinds in one entry', () => {
    const issues = (guards: unknown) => {
      try {
        parseConfig({ upstream, guards }, { env: {} });
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).issues;
      }
      throw new Error('expected a ValidationError');
    };
    expect(issues({ t: { topicControl: { baseURL: GUARDS } } })).toEqual([{ path: 'guards.t.topicControl.rules', message: expect.any(String) }]);
    expect(issues({ j: { jailbreakDetect: { model: 'x' } } })[0]!.path).toBe('guards.j.jailbreakDetect');
    expect(issues({ r: { contentSafetyReasoning: { reasoning: 'sometimes' } } })[0]!.path).toBe('guards.r.contentSafetyReasoning.reasoning');
    expect(issues({ both: { nemotronSafetyGuard: {}, jailbreakDetect: {} } })).toEqual([{ path: 'guards.both', message: 'set only one of nemotronSafetyGuard, jailbreakDetect' }]);
  });

  it('keeps secrets of the new entries masked', () => {
    const config = parseConfig({ upstream, guards: { j: { jailbreakDetect: { apiKey: 'nvapi-HIDDEN-1' } } } }, { env: {} });
    expect(JSON.stringify(config)).not.toContain('nvapi-HIDDEN-1');
    expect(config.guards.j!.jailbreakDetect!.apiKey!.reveal()).toBe('nvapi-HIDDEN-1');
  });
});
