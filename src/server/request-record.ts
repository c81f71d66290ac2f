import type { AnyChatModel } from '../integrations/wire/run-chat.js';
import type { CallOptions } from '../interfaces.js';
import type { ChatRequest, Usage } from '../types.js';

/** What the access log line and the metrics know about one request. */
export interface RequestRecord {
  id: string;
  method: string;
  route: string;
  status: number;
  latencyMs: number;
  model?: string;
  stream?: boolean;
  /** Upstream calls made (best-of-n candidates, retries). */
  candidates?: number;
  verdicts?: Array<{ rail: string; by: string; safe: boolean; categories: string[] }>;
  refused?: boolean;
  /** Who refused (the middleware names of the report's reasons). */
  refusedBy?: string[];
  /** The OpenAI error code of a failed answer. */
  code?: string;
  /** The upstream's HTTP status (200 when it answered; its error status otherwise). */
  upstreamStatus?: number;
  /** Slowest upstream call, ms. */
  upstreamMs?: number;
  usage?: Usage;
  /** The request's messages, only when the access log is asked to log prompts. */
  messages?: unknown;
}

type Reportish = {
  candidates?: Array<{ latencyMs?: number; error?: { name: string } }>;
  verdicts?: Array<{ rail: string; by: string; verdict: { safe: boolean; categories: Array<{ category: string }> } }>;
  reasons?: Array<{ by: string }>;
};

/** Records what the request asks: its model, whether it streams, and its messages when prompts are logged. */
export function recordRequest(record: RequestRecord, request: ChatRequest, prompts: boolean, stream: boolean): void {
  if (request.model !== undefined) record.model = request.model;
  if (prompts) record.messages = request.messages;
  record.stream = stream;
}

/**
 * Wraps a model for one request so its outcome (the report's candidates and verdicts, usage, the
 * upstream's status) lands in `record`, plain and streamed, without touching the answer.
 */
export function recordingModel(model: AnyChatModel, record: RequestRecord, prompts: boolean): AnyChatModel {
  return {
    async generate(request: ChatRequest, options?: CallOptions) {
      recordRequest(record, request, prompts, false);
      try {
        const completion = await model.generate(request, options);
        recordCompletion(record, completion);
        return completion;
      } catch (error) {
        recordError(record, error);
        throw error;
      }
    },
    async *stream(request: ChatRequest, options?: CallOptions) {
      recordRequest(record, request, prompts, true);
      try {
        for await (const event of model.stream(request, options)) {
          if (event.type === 'finish') recordCompletion(record, (event as unknown as { completion: object }).completion);
          yield event;
        }
      } catch (error) {
        recordError(record, error);
        throw error;
      }
    },
  } as AnyChatModel;
}

/** Records a finished answer: the upstream's 200, usage, refusal, the report's candidates and verdicts. */
export function recordCompletion(record: RequestRecord, completion: { usage?: Usage; refused?: boolean; report?: unknown }): void {
  record.upstreamStatus = 200;
  if (completion.usage) record.usage = completion.usage;
  const report = completion.report as Reportish | undefined;
  if (completion.refused !== undefined) record.refused = completion.refused;
  if (!report) return;
  const candidates = report.candidates ?? [];
  record.candidates = candidates.length;
  let slowest = 0;
  for (const c of candidates) slowest = Math.max(slowest, c.latencyMs ?? 0);
  if (candidates.length) record.upstreamMs = slowest;
  record.verdicts = (report.verdicts ?? []).map((v) => ({ rail: v.rail, by: v.by, safe: v.verdict.safe, categories: v.verdict.categories.map((c) => c.category) }));
  if (completion.refused && report.reasons?.length) record.refusedBy = [...new Set(report.reasons.map((r) => r.by))];
}

/** Records a failed call: the upstream's status when the error carries one. */
export function recordError(record: RequestRecord, error: unknown): void {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') record.upstreamStatus = status;
}
