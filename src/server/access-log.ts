import { pino, type Logger } from 'pino';
import type { RequestRecord } from './request-record.js';

/** Anything that takes the log's lines: a stream, or an object collecting them. */
export interface LineSink {
  /** Takes one JSON line (newline included). */
  write(line: string): unknown;
}

/** The structured access log: one JSON line per request (pino). */
export interface AccessLogOptions {
  /** Where lines go: a pino logger of the app, or a stream / file descriptor (default stdout). */
  logger?: Logger;
  destination?: LineSink | number;
  /** Also log each request's messages (default false: prompts are user data). */
  prompts?: boolean;
}

/** A pino logger writing access lines (`msg: 'request'`), never prompt text unless asked. */
export function createAccessLogger(options: AccessLogOptions): Logger {
  if (options.logger) return options.logger;
  const destination = options.destination ?? 1;
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination;
  return pino({ base: { service: 'rewardgate' }, timestamp: pino.stdTimeFunctions.isoTime }, stream as pino.DestinationStream);
}

/** Writes one request's line. */
export function logRequest(logger: Logger, record: RequestRecord): void {
  const level = record.status >= 500 ? 'error' : record.status >= 400 ? 'warn' : 'info';
  logger[level](record, 'request');
}
