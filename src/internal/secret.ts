// A string that must never leak: it prints and serializes as `[redacted]`; only reveal() reads it.
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the one place that sends it (an Authorization header). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspectSymbol](): string {
    return 'Secret([redacted])';
  }
}
