import * as z from 'zod/mini';
import { formatPath } from '../errors.js';
import { tryParse } from '../internal/validate.js';

/** One tensor of a KServe v2 inference request (JSON, row-major data). */
export interface KServeTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: number[];
}

/** The body of `POST /v2/models/{name}/infer`. */
export interface KServeInferRequest {
  inputs: KServeTensor[];
  outputs: Array<{ name: string }>;
}

type Nested = number | Nested[];
const NestedNumbers: z.ZodMiniType<Nested> = z.lazy(() => z.union([z.number(), z.array(NestedNumbers)]));

const InferResponseSchema = z.object({
  outputs: z.array(z.object({ name: z.string(), shape: z.array(z.int().check(z.nonnegative())), datatype: z.string(), data: z.array(NestedNumbers) })),
});

/**
 * Reads one logits row per sequence from an inference response: shape `[rows, labels]` or
 * `[rows]` for one label. Returns a description of the problem instead when the answer does not fit.
 */
export function kserveOutputRows(body: unknown, name: string, rows: number, labels: number): number[][] | string {
  // English messages and the issue's path: zod/mini alone says only "Invalid input".
  const parsed = tryParse(InferResponseSchema, body);
  if (!parsed.success) return `not a KServe v2 inference response (${describeIssue(parsed.error.issues[0])})`;
  const output = parsed.data.outputs.find((o) => o.name === name);
  if (!output) return `no output named ${name} (outputs: ${parsed.data.outputs.map((o) => o.name).join(', ') || 'none'})`;
  const data = (output.data as unknown[]).flat(Infinity as 1) as number[];
  const shapeOk = (output.shape.length === 2 && output.shape[0] === rows && output.shape[1] === labels) || (labels === 1 && output.shape.length === 1 && output.shape[0] === rows);
  if (!shapeOk) return `output ${name} has shape [${output.shape.join(', ')}]; expected [${rows}, ${labels}]`;
  if (data.length !== rows * labels) return `output ${name} has ${data.length} values; expected ${rows * labels}`;
  return Array.from({ length: rows }, (_, r) => data.slice(r * labels, (r + 1) * labels));
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  return issue.path.length ? `${formatPath(issue.path)}: ${issue.message}` : issue.message;
}
