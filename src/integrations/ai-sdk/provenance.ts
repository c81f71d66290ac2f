// What the wrapped model answered, per AI SDK call, for the way back: the pipeline's Completion
// holds text, reasoning and tool calls, while the AI SDK result also has provider metadata, part
// metadata (a tool call's thought signature), sources, files and provider-executed tool results.
import { answerKey } from '../../content.js';
import type { Completion } from '../../types.js';
import type { AIContent, AIFinishReason, AIGenerateResult, AIProviderMetadata, AIToolCall, AIUsage } from './types.js';

/** One answer of the wrapped model, as the AI SDK gave it. */
export interface ModelAnswer {
  /** The answer as the pipeline got it. */
  completion: Completion;
  /** Its content parts in order (a stream's, as collected); for the result when returned unchanged. */
  content: AIContent[];
  finishReason: AIFinishReason;
  usage: AIUsage;
  providerMetadata?: AIProviderMetadata;
  response?: AIGenerateResult['response'];
  request?: AIGenerateResult['request'];
}

// Copies of a completion (`{ ...c, report }`) keep an enumerable symbol key; JSON leaves it out.
const ORIGIN = Symbol('rewardgate.ai-sdk.answer');

/** The wrapped model's answers during one AI SDK call. */
export class Provenance {
  private readonly answers: ModelAnswer[] = [];
  private readonly calls = new Map<string, AIToolCall>();

  /** Records an answer; returns its completion, tagged so that copies lead back to it. */
  record(answer: ModelAnswer): Completion {
    this.answers.push(answer);
    for (const part of answer.content) if (part.type === 'tool-call') this.calls.set(part.toolCallId, part);
    const tagged = answer.completion as Completion & { [ORIGIN]?: ModelAnswer };
    tagged[ORIGIN] = answer;
    return tagged;
  }

  /** Records a tool call as soon as a stream has it (its metadata goes out with the call). */
  recordToolCall(part: AIToolCall): void {
    this.calls.set(part.toolCallId, part);
  }

  /** The tool call the model made with this id. */
  toolCall(id: string): AIToolCall | undefined {
    return this.calls.get(id);
  }

  /**
   * The model answer the pipeline returned, when it returned one unchanged (same text, tool
   * calls and reasoning); undefined for a refusal or an answer a middleware rewrote.
   */
  answerOf(completion: Completion): ModelAnswer | undefined {
    const tagged = (completion as { [ORIGIN]?: ModelAnswer })[ORIGIN];
    const key = answerKey(completion);
    const same = (a: ModelAnswer) => answerKey(a.completion) === key && (a.completion.reasoning ?? '') === (completion.reasoning ?? '');
    if (tagged && same(tagged)) return tagged;
    return this.answers.find(same);
  }
}
