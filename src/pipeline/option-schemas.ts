// Internal: zod shapes shared by the middleware option schemas.
import * as z from 'zod';
import type { Guard, Scorer } from '../interfaces.js';

const isFn = (v: unknown) => typeof v === 'function';

export const ScorerSchema = z.custom<Scorer>((v) => typeof v === 'object' && v !== null && isFn((v as Scorer).score), 'expected a Scorer (an object with score(conversations))');

export const GuardSchema = z.custom<Guard>((v) => typeof v === 'object' && v !== null && isFn((v as Guard).check), 'expected a Guard (an object with check(conversation))');

export const FunctionSchema = z.custom<(...args: never[]) => unknown>(isFn, 'expected a function');
