// @huggingface/jinja exports its Environment and Interpreter but not its value classes. We take
// the constructors from values the Environment itself builds, so the values we create are the
// library's own (its `instanceof` checks keep working).
import { Environment, Interpreter, type JinjaEnvironment } from './jinja.js';

/** The shape every @huggingface/jinja runtime value has. */
export interface RuntimeValue {
  type: string;
  value: unknown;
  __bool__(): { value: boolean };
  toString(): string;
}

type Ctor<T> = new (value: T) => RuntimeValue;

const probe = new Environment();

/** Converts a plain JS value (string, number, array, object, function) to a runtime value. */
export function toRuntime(value: unknown): RuntimeValue {
  probe.variables.delete('_');
  return probe.set('_', value);
}

const ctor = <T>(sample: unknown) => toRuntime(sample).constructor as Ctor<T>;

export const StringValue = ctor<string>('');
export const IntegerValue = ctor<number>(1);
export const FloatValue = ctor<number>(1.5);
export const BooleanValue = ctor<boolean>(true);
export const ArrayValue = ctor<RuntimeValue[]>([]);
export const ObjectValue = ctor<Map<string, RuntimeValue>>({});
export const FunctionValue = ctor<(args: RuntimeValue[], env: JinjaEnvironment) => RuntimeValue>(() => 0);
export const NullValue = ctor<null>(null);
export const UndefinedValue = ctor<undefined>(undefined);

export const TupleValue = new Interpreter().evaluate({ type: 'TupleLiteral', value: [] }, probe).constructor as Ctor<RuntimeValue[]>;

/** `[[k, v], ...]` as Python's `[(k, v), ...]` (dict.items(), dictsort): they print as tuples. */
export function pairsAsTuples(list: RuntimeValue): RuntimeValue {
  if (list.type !== 'ArrayValue') return list;
  return new ArrayValue((list.value as RuntimeValue[]).map((p) => (p.type === 'ArrayValue' ? new TupleValue(p.value as RuntimeValue[]) : p)));
}

export const str = (value: string) => new StringValue(value);
export const bool = (value: boolean) => new BooleanValue(value);
export const fn = (impl: (args: RuntimeValue[]) => RuntimeValue) => new FunctionValue((args) => impl(args));

/** Splits a call's arguments into positional ones and the trailing keyword arguments. */
export function splitArgs(args: RuntimeValue[]): [RuntimeValue[], Map<string, RuntimeValue>] {
  const last = args.at(-1);
  if (last?.type === 'KeywordArgumentsValue') return [args.slice(0, -1), last.value as Map<string, RuntimeValue>];
  return [args, new Map()];
}

/** A string argument, `None` (null) when absent or none, or a Python-style TypeError. */
export function optString(value: RuntimeValue | undefined, what: string): string | null {
  if (value === undefined || value.type === 'NullValue' || value.type === 'UndefinedValue') return null;
  if (value.type !== 'StringValue') throw new Error(`TypeError: ${what} must be str or None, not ${value.type}`);
  return value.value as string;
}

/** An integer argument with a default. */
export function optInt(value: RuntimeValue | undefined, fallback: number, what: string): number {
  if (value === undefined || value.type === 'NullValue' || value.type === 'UndefinedValue') return fallback;
  if (value.type !== 'IntegerValue') throw new Error(`TypeError: ${what} must be an integer, not ${value.type}`);
  return value.value as number;
}
