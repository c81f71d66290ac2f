import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as errorsModule from '../src/errors.js';
import * as api from '../src/index.js';
import {
  APIError,
  GuardError,
  GuardrailError,
  GuardUnavailableError,
  InternalServerError,
  RateLimitError,
  ResponseError,
  RewardgateError,
  StreamError,
  type Report,
} from '../src/index.js';
import { toWireError } from '../src/integrations/wire.js';

type ErrorClass = typeof RewardgateError & (new (...args: never[]) => RewardgateError);

const report: Report = { candidates: [], verdicts: [], chosen: null, refused: true, rejected: false, reasons: [] };

// One instance per exported class, built with its own constructor's arguments.
const SAMPLES: Record<string, () => RewardgateError> = {
  RewardgateError: () => new RewardgateError('base'),
  ValidationError: () => new api.ValidationError('options', [{ path: 'a', message: 'bad' }]),
  APIError: () => new APIError(418, {}, '418 teapot'),
  BadRequestError: () => APIError.generate(400, {}),
  AuthenticationError: () => APIError.generate(401, {}),
  PermissionDeniedError: () => APIError.generate(403, {}),
  NotFoundError: () => APIError.generate(404, {}),
  ConflictError: () => APIError.generate(409, {}),
  UnprocessableEntityError: () => APIError.generate(422, {}),
  RateLimitError: () => APIError.generate(429, {}),
  InternalServerError: () => APIError.generate(503, {}),
  APIConnectionError: () => new api.APIConnectionError('refused'),
  TimeoutError: () => new api.TimeoutError('idle', 10),
  UserAbortError: () => new api.UserAbortError('stop'),
  StreamError: () => new StreamError('truncated', 'cut'),
  ResponseError: () => new ResponseError('unexpected-shape', 'odd'),
  ModelLoadError: () => new api.ModelLoadError('no file', { file: 'model.onnx' }),
  GuardrailError: () => new GuardrailError('refused', 'blocked', report),
  GuardError: () => new GuardError('guard_unavailable', 'g', 'failed', 'down'),
  GuardConfigurationError: () => new api.GuardConfigurationError('g', 'not_found', 'nope'),
  GuardUnavailableError: () => new GuardUnavailableError('g', 'timeout', 'slow'),
  GuardInputError: () => new api.GuardInputError('g', 'long'),
  ScorerConfigurationError: () => new api.ScorerConfigurationError('no weight', ['a']),
};

const errorClasses = (module: object) =>
  Object.entries(module).filter(
    (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] === RewardgateError || entry[1].prototype instanceof RewardgateError),
  );
// Every error class the root entry exports (other files may define some).
const classes = errorClasses(api);

describe('error classes', () => {
  it('every exported error class has its own marker; every class of errors.ts has a sample here', () => {
    expect(errorClasses(errorsModule).map(([name]) => name).sort()).toEqual(Object.keys(SAMPLES).sort());
    expect(classes.map(([name]) => name)).toEqual(expect.arrayContaining(Object.keys(SAMPLES)));
    const markers = classes.map(([, Class]) => {
      expect(Object.hasOwn(Class, 'marker')).toBe(true);
      return Class.marker;
    });
    expect(new Set(markers).size).toBe(classes.length);
    // The markers stay out of logs.
    expect(inspect(APIError.generate(429, {}))).not.toContain('rewardgate.error');
    expect(Object.keys(APIError.generate(429, {}))).not.toContain('marker');
  });

  it('X.isInstance(e) holds exactly when e is an X or a subclass of X', () => {
    for (const [name, make] of Object.entries(SAMPLES)) {
      const error = make();
      expect(error.name).toBe(name);
      for (const [other, Class] of classes) {
        expect(Class.isInstance(error), `${other}.isInstance(new ${name})`).toBe(error instanceof Class);
      }
    }
  });

  it('the loose check is gone: a StreamError is no APIError, a GuardError no RateLimitError', () => {
    expect(APIError.isInstance(new StreamError('malformed', 'x'))).toBe(false);
    expect(RateLimitError.isInstance(APIError.generate(503, {}))).toBe(false);
    expect(StreamError.isInstance(new ResponseError('invalid-json', 'x'))).toBe(false);
    expect(GuardUnavailableError.isInstance(new GuardError('guard_misconfigured', 'g', 'failed', 'x'))).toBe(false);
    expect(GuardError.isGuardError(new StreamError('malformed', 'x'))).toBe(false);
    // Subclasses are their parents.
    expect(APIError.isInstance(APIError.generate(429, {}))).toBe(true);
    expect(GuardError.isInstance(new GuardUnavailableError('g', 'timeout', 'x'))).toBe(true);
    expect(RewardgateError.isInstance(new ResponseError('invalid-json', 'x'))).toBe(true);
    expect(RewardgateError.isInstance(new Error('plain'))).toBe(false);
    expect(APIError.isInstance({ status: 500 })).toBe(false);
    expect(APIError.isInstance(null)).toBe(false);
  });

  it('checks survive two copies of the package in one app', async () => {
    // A second evaluation of the module (vitest keys modules by URL, query included): other
    // classes, the same global markers.
    // @ts-expect-error TypeScript does not resolve a specifier with a query string.
    const copy = (await import('../src/errors.js?second-copy')) as typeof import('../src/errors.js');
    expect(copy.APIError).not.toBe(APIError);
    const theirs = copy.APIError.generate(429, { message: 'slow down' });
    expect(theirs).not.toBeInstanceOf(RateLimitError);
    expect(RateLimitError.isInstance(theirs)).toBe(true);
    expect(APIError.isInstance(theirs)).toBe(true);
    expect(InternalServerError.isInstance(theirs)).toBe(false);
    expect(copy.StreamError.isInstance(new StreamError('truncated', 'x'))).toBe(true);
    expect(copy.APIError.isInstance(new StreamError('truncated', 'x'))).toBe(false);
    expect(GuardError.isGuardError(new copy.GuardInputError('g', 'long'))).toBe(true);
  });

  it('GuardrailError.report is the pipeline Report', () => {
    const error = new GuardrailError('refused', 'blocked', report);
    expectTypeOf(error.report).toEqualTypeOf<Report>();
    expect(error.report.refused).toBe(true);
  });

  it('a ResponseError is its own wire answer: 502 upstream_response_<kind>, not a stream failure', () => {
    expect(toWireError(new ResponseError('invalid-json', 'The response is not valid JSON'))).toMatchObject({
      status: 502,
      body: { error: { type: 'upstream_error', code: 'upstream_response_invalid-json' } },
    });
    expect(toWireError(new StreamError('truncated', 'cut'))).toMatchObject({ body: { error: { code: 'upstream_stream_truncated' } } });
  });
});
