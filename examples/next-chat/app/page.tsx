'use client';
// The chat page: streams answers from /api/chat and shows what the guardrails decided.
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { useState, type FormEvent } from 'react';
import type { OpenAIChatCompletionChunk, Report } from 'rewardgate/next';

interface Turn {
  role: 'user' | 'assistant';
  content: string;
  refused?: boolean;
  report?: Report;
}

export default function ChatPage() {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send(event: FormEvent) {
    event.preventDefault();
    const content = input.trim();
    if (!content || busy) return;
    const history: Turn[] = [...turns, { role: 'user', content }];
    setTurns([...history, { role: 'assistant', content: '' }]);
    setInput('');
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: history.map(({ role, content }) => ({ role, content })), stream: true }),
      });
      if (!res.ok || !res.body) throw new Error((await res.json()).error?.message ?? `HTTP ${res.status}`);
      const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
      let answer: Turn = { role: 'assistant', content: '' };
      for await (const { data } of events) {
        if (data === '[DONE]') break;
        const chunk = JSON.parse(data) as OpenAIChatCompletionChunk & { error?: { message: string } };
        if (chunk.error) throw new Error(chunk.error.message);
        answer = { ...answer, content: answer.content + (chunk.choices[0]?.delta.content ?? '') };
        if (chunk.rewardgate) answer = { ...answer, refused: chunk.rewardgate.refused, report: chunk.rewardgate.report as Report };
        setTurns([...history, answer]);
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main>
      <h1>rewardgate chat</h1>
      <p>Local tiny models: four candidates per answer, the reward model picks one, the guard refuses harmful prompts.</p>
      <ol data-testid="turns" style={{ listStyle: 'none', padding: 0 }}>
        {turns.map((turn, i) => (
          <li key={i} data-testid={`turn-${turn.role}`} data-refused={turn.refused ? 'true' : undefined} style={{ margin: '0.75rem 0' }}>
            <strong>{turn.role === 'user' ? 'You' : 'Assistant'}:</strong> <span data-testid="content">{turn.content}</span>
            {turn.report && <Decision refused={turn.refused === true} report={turn.report} />}
          </li>
        ))}
      </ol>
      {error && <p role="alert" style={{ color: 'crimson' }}>{error}</p>}
      <form onSubmit={send} style={{ display: 'flex', gap: '0.5rem' }}>
        <input aria-label="Message" value={input} onChange={(e) => setInput(e.target.value)} placeholder="How do I bake bread?" style={{ flex: 1 }} />
        <button type="submit" disabled={busy}>Send</button>
      </form>
    </main>
  );
}

function Decision({ refused, report }: { refused: boolean; report: Report }) {
  if (refused) {
    const reason = report.reasons.at(-1);
    return <div data-testid="decision" style={{ color: 'crimson' }}>Refused{reason ? ` by ${reason.by}: ${reason.reason}` : ''}</div>;
  }
  const scores = report.candidates.map((c) => (c.score ? c.score.value.toFixed(2) : '-'));
  return (
    <div data-testid="decision" style={{ color: 'gray', fontSize: '0.9em' }}>
      Best of {report.candidates.length} candidates (scores {scores.join(', ')}); chose #{report.chosen}
    </div>
  );
}
