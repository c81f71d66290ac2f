// Internal: the tool policy's rules over one answer's calls, with no model call. The validator is
// @cfworker/json-schema: it interprets schemas (no eval / new Function), so it runs on the edge.
import { Validator, type Schema } from '@cfworker/json-schema';
import type { Tool, ToolCall } from '../../types.js';

/**
 * What a tool call did wrong.
 *
 * @example
 * const kinds: ToolViolationKind[] = report.toolViolations?.map((v) => v.kind) ?? [];
 */
export type ToolViolationKind = 'unknown-tool' | 'denied' | 'invalid-json' | 'schema' | 'max-calls' | 'check';

/**
 * One broken rule: which call, what kind, and a message the model can read as feedback.
 *
 * @example
 * const v: ToolCallViolation = { call, kind: 'schema', message: 'the arguments of "get_weather" do not match its schema: /city: required' };
 */
export interface ToolCallViolation {
  call: ToolCall;
  kind: ToolViolationKind;
  message: string;
}

/** The rules, as `toolPolicy` resolved them. */
export interface ToolRules {
  allow?: readonly string[];
  deny?: readonly string[];
  validateArguments: boolean;
  maxCalls?: number;
}

// One compiled validator per schema object: tools arrive with every request of an agent loop,
// usually the same objects, so this saves re-walking a schema per step.
const validators = new WeakMap<object, Validator>();

function validatorFor(schema: Record<string, unknown>): Validator {
  let v = validators.get(schema);
  if (!v) validators.set(schema, (v = new Validator(schema as Schema, '2020-12', false)));
  return v;
}

/**
 * The rule violations of `calls` against the `tools` the request offered. A call breaks at most
 * one rule: the first of unknown tool, denied, invalid JSON, schema.
 */
export function toolViolations(calls: readonly ToolCall[], tools: readonly Tool[] | undefined, rules: ToolRules): ToolCallViolation[] {
  const offered = new Map((tools ?? []).map((t) => [t.function.name, t]));
  const out: ToolCallViolation[] = [];
  calls.forEach((call, i) => {
    const violation = checkCall(call, offered, rules);
    if (violation) out.push(violation);
    else if (rules.maxCalls !== undefined && i >= rules.maxCalls) out.push({ call, kind: 'max-calls', message: `at most ${rules.maxCalls} tool call${rules.maxCalls === 1 ? '' : 's'} per answer are allowed` });
  });
  return out;
}

function checkCall(call: ToolCall, offered: Map<string, Tool>, rules: ToolRules): ToolCallViolation | undefined {
  const name = call.function.name;
  const tool = offered.get(name);
  if (!tool) return { call, kind: 'unknown-tool', message: `tool "${name}" was not offered (offered: ${[...offered.keys()].join(', ') || 'none'})` };
  if (rules.deny?.includes(name) || (rules.allow && !rules.allow.includes(name))) return { call, kind: 'denied', message: `tool "${name}" is not allowed by the tool policy` };
  if (!rules.validateArguments) return undefined;
  let args: unknown;
  try {
    args = JSON.parse(call.function.arguments.trim() === '' ? '{}' : call.function.arguments);
  } catch {
    // The message names no argument text: it reaches reports and the wire, where a blocked call's
    // arguments must not (the model still sees its own call in the resample feedback).
    return { call, kind: 'invalid-json', message: `the arguments of "${name}" are not valid JSON (${call.function.arguments.length} characters)` };
  }
  const schema = tool.function.parameters;
  if (!schema) return undefined;
  const result = validatorFor(schema).validate(args);
  if (result.valid) return undefined;
  // The innermost errors say what is wrong; the outer ones only that something below is.
  const detail = result.errors
    .filter((e) => !/^(properties|items|allOf|anyOf|oneOf|false|\$ref)$/.test(e.keyword))
    .map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'}: ${e.error}`)
    .slice(0, 5)
    .join('; ');
  return { call, kind: 'schema', message: `the arguments of "${name}" do not match its schema: ${detail || result.errors[0]?.error}` };
}
