// ky with one piece swapped: what reaches `fetch`. ky builds its Request from the method and URL
// only; the init that is sent (headers, string body, signal) travels as an option ky does not know,
// which ky passes on to `fetch` as its second argument. Handing ky's Request with a body to fetch
// instead makes undici re-wrap that body in a TransformStream, and ky then cancels the locked
// original body, which throws a TypeError on every call (see bench/client.bench.ts).
import ky, { type KyInstance, type Options } from 'ky';

const SEND = 'rewardgateSend';

/** What one attempt sends: headers as a plain object, the body already serialized. */
export interface SendInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** A ky instance without ky's retry, timeout or HTTP-error throwing (the transport does those). */
export function createKy(userFetch: typeof globalThis.fetch | undefined): KyInstance {
  // The global fetch is looked up per call, so a fetch patched later (msw) is used.
  const send = (request: Request, init?: RequestInit): Promise<Response> => {
    const fetch = userFetch ?? globalThis.fetch;
    const own = (init as { [SEND]?: SendInit } | undefined)?.[SEND];
    return own ? fetch(request.url, own) : fetch(request, init);
  };
  return ky.create({ retry: 0, timeout: false, throwHttpErrors: false, fetch: send as typeof globalThis.fetch });
}

/** Sends `init` to `url` through `client`. */
export function kySend(client: KyInstance, url: string, init: SendInit): Promise<Response> {
  return client(url, { method: init.method, [SEND]: init } as Options);
}
