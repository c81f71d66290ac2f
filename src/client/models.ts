import * as z from 'zod/mini';
import { ResponseError } from '../errors.js';
import { tryParse } from '../internal/validate.js';
import type { CallOptions } from '../interfaces.js';
import type { Transport } from '../http/transport.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/**
 * One entry of `GET /v1/models`.
 * @example
 * const [first]: ModelInfo[] = await client.models.list();
 */
export interface ModelInfo {
  id: string;
  ownedBy?: string;
  created?: number;
}

const ModelListSchema = z.object({
  data: z.array(z.looseObject({ id: z.string(), owned_by: z.nullish(z.string()), created: z.nullish(z.number()) })),
});

/**
 * `client.models`.
 * @example
 * await client.models.list();
 */
export class ModelsAPI {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Lists the served models.
   * @example
   * const ids = (await client.models.list()).map((m) => m.id);
   */
  async list(options: CallOptions = {}): Promise<ModelInfo[]> {
    const { body } = await this.#transport.json({ method: 'get', path: 'models', signal: options.signal });
    const parsed = tryParse(ModelListSchema, body);
    if (!parsed.success) throw new ResponseError('unexpected-shape', 'Unexpected /models answer', { cause: parsed.error });
    return parsed.data.data.map((m) => omitUndefined({ id: m.id, ownedBy: m.owned_by || undefined, created: typeof m.created === 'number' ? m.created : undefined }));
  }
}

/**
 * `client.health`.
 * @example
 * await client.health.ready();
 */
export class HealthAPI {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * `GET /v1/health/ready` (self-hosted NIM): true when ready, false on 503. Not retried.
   * @example
   * if (!(await client.health.ready())) console.log('NIM is still loading');
   */
  async ready(options: CallOptions = {}): Promise<boolean> {
    const call = await this.#transport.open({ method: 'get', path: 'health/ready', signal: options.signal, maxRetries: 0, passStatuses: [503] });
    try {
      await call.response.body?.cancel();
      return call.response.ok;
    } finally {
      call.close();
    }
  }
}
