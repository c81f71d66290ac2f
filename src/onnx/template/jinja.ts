// Typed view of @huggingface/jinja. Its declaration files import './runtime' without an
// extension, which NodeNext resolution cannot follow, so TypeScript sees its exports as `any`.
import * as jinja from '@huggingface/jinja';
import type { RuntimeValue } from './runtime-values.js';

/** A parsed template (the library's `Program` node). */
export type Program = { type: 'Program'; body: unknown[] };

export interface JinjaEnvironment {
  variables: Map<string, RuntimeValue>;
  set(name: string, value: unknown): RuntimeValue;
}

export interface JinjaInterpreter {
  run(program: Program): RuntimeValue;
  evaluate(node: unknown, environment: JinjaEnvironment): RuntimeValue;
}

export const Environment = jinja.Environment as new (parent?: JinjaEnvironment) => JinjaEnvironment;
export const Interpreter = jinja.Interpreter as new (env?: JinjaEnvironment) => JinjaInterpreter;
export const tokenize = jinja.tokenize as (source: string, options?: { lstrip_blocks?: boolean; trim_blocks?: boolean }) => unknown[];
export const parse = jinja.parse as (tokens: unknown[]) => Program;
