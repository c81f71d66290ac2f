// The AI SDK prompt as rewardgate messages in the OpenAI shape: what scorers and guards read.
import type { ContentPart, Message, ToolCall } from '../../types.js';
import { fromFilePart } from './file-parts.js';
import type { AIFilePart, AIMessage, AIPrompt, AIToolResultPart } from './types.js';

/** One prompt message and the rewardgate messages it became (a tool message: one per result). */
export interface PromptUnit {
  source: AIMessage;
  messages: Message[];
}

/**
 * The prompt as rewardgate messages, one unit per AI SDK message: user file parts become content
 * parts, assistant reasoning parts `reasoning`, tool-call parts `tool_calls` (arguments as JSON
 * text), and each tool result a `tool` turn with its `tool_call_id`. A provider-executed tool
 * result in an assistant message follows that turn as a `tool` turn. Tool approval responses and
 * custom parts carry no text and become no message.
 */
export function promptUnits(prompt: AIPrompt): PromptUnit[] {
  return prompt.map((source) => ({ source, messages: messagesOf(source) }));
}

/** The prompt as rewardgate messages, oldest first. */
export function toMessages(prompt: AIPrompt): Message[] {
  return promptUnits(prompt).flatMap((unit) => unit.messages);
}

function messagesOf(message: AIMessage): Message[] {
  switch (message.role) {
    case 'system':
      return [{ role: 'system', content: message.content }];
    case 'user':
      return [{ role: 'user', content: contentOf(message.content) }];
    case 'tool':
      return message.content.flatMap((part) => (part.type === 'tool-result' ? [toolTurn(part)] : []));
    case 'assistant': {
      const calls: ToolCall[] = [];
      const results: Message[] = [];
      const parts: PromptContent[] = [];
      let reasoning = '';
      for (const part of message.content) {
        if (part.type === 'reasoning') reasoning += part.text;
        else if (part.type === 'tool-call') calls.push({ id: part.toolCallId, type: 'function', function: { name: part.toolName, arguments: argumentsText(part.input) } });
        else if (part.type === 'tool-result') results.push(toolTurn(part));
        else if (part.type === 'text' || part.type === 'file') parts.push(part);
      }
      const content = contentOf(parts);
      const turn: Message = { role: 'assistant', content: calls.length && content === '' ? null : content };
      if (calls.length) turn.tool_calls = calls;
      if (reasoning) turn.reasoning = reasoning;
      return [turn, ...results];
    }
  }
}

type PromptContent = { type: 'text'; text: string } | AIFilePart;

// Text alone stays a string (the shape most guards and scorers expect); anything else, parts.
function contentOf(parts: readonly PromptContent[]): string | ContentPart[] {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => part.text).join('');
  return parts.map((part): ContentPart => (part.type === 'text' ? { type: 'text', text: part.text } : fromFilePart(part)));
}

function toolTurn(part: AIToolResultPart): Message {
  return { role: 'tool', tool_call_id: part.toolCallId, content: toolOutput(part.output) };
}

function toolOutput(output: AIToolResultPart['output']): string | ContentPart[] {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value) ?? 'null';
    case 'execution-denied':
      return output.reason ?? 'Tool call execution denied.';
    case 'content':
      return contentOf(output.value.flatMap((part): PromptContent[] => (part.type === 'text' ? [{ type: 'text', text: part.text }] : part.type === 'file' ? [part] : [])));
  }
}

/** A prompt tool call's input as JSON text: a string that already is JSON is kept as it is. */
export function argumentsText(input: unknown): string {
  if (typeof input === 'string') {
    try {
      JSON.parse(input);
      return input;
    } catch {
      return JSON.stringify(input);
    }
  }
  return JSON.stringify(input ?? {});
}
