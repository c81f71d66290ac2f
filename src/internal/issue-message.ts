// English messages for the zod issues our schemas raise. zod/mini loads no locale (every issue
// would read "Invalid input"); zod's English locale would cost 1.5 KB more minified in the edge
// bundle (bench/bundle.bench.ts). Passed per parse (see validate.ts), never set with `z.config()`:
// a library must not change the app's zod settings, and a module-level call would be dropped by
// bundlers under `"sideEffects": false`. The wording is zod's, so messages read as they did with
// classic zod; a union whose options all failed on the value's type also lists what each expects.
import type * as z from 'zod/mini';

const UNITS: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes', map: 'entries' };

/**
 * The message of one zod issue: `Invalid input: expected string, received number`,
 * `Too small: expected number to be >=1`, `Unrecognized key: "check"`...
 */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${issue.expected}, received ${typeName(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `Invalid input: expected ${show(issue.values[0])}` : `Invalid option: expected one of ${issue.values.map(show).join('|')}`;
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      const adj = issue.exact ? 'exactly ' : `${small ? '>' : '<'}${issue.inclusive ? '=' : ''}`;
      const unit = UNITS[issue.origin];
      const what = unit ? `to have ${adj}${bound} ${unit}` : `to be ${adj}${bound}`;
      return `Too ${small ? 'small' : 'big'}: expected ${issue.origin ?? 'value'} ${what}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' ? `Invalid string: must match pattern ${issue.pattern}` : `Invalid ${issue.format}`;
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map(show).join(', ')}`;
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`;
    case 'invalid_element':
      return `Invalid value in ${issue.origin}`;
    case 'invalid_union':
      return unionMessage(issue.errors, issue.input);
    default:
      return 'Invalid input';
  }
};

// A union whose every option failed on the value itself says what each option expects.
function unionMessage(errors: ReadonlyArray<ReadonlyArray<z.core.$ZodIssue>>, input: unknown): string {
  const expected: string[] = [];
  for (const [first, ...rest] of errors) {
    if (!first || rest.length || first.path.length) return 'Invalid input';
    if (first.code === 'invalid_type') expected.push(first.expected);
    else if (first.code === 'invalid_value') expected.push(first.values.map(show).join('|'));
    else return 'Invalid input';
  }
  const last = expected.pop();
  return `Invalid input: expected ${expected.length ? `${expected.join(', ')} or ${last}` : last}, received ${typeName(input)}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : String(value);
  return typeof value;
}

const show = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : typeof value === 'bigint' ? `${value}n` : String(value));
