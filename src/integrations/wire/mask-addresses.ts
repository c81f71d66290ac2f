// Internal addresses in an upstream's own words (a private IP, a cluster host name, a URL with
// one) must not reach this server's clients: they map the network behind the proxy. Public
// hosts (docs links) are kept. Edge-safe: no Node imports.

const URL_PATTERN = /\b[a-z][a-z\d+.-]*:\/\/(\[[^\]\s]+\]|[^\s/:?#"'<>]+)[^\s"'<>]*/gi;
const HOST_PORT = /\b((?:\d{1,3}\.){3}\d{1,3}|localhost|[a-z\d][a-z\d-]*(?:\.[a-z\d-]+)*)(:\d{2,5})\b/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const INTERNAL_SUFFIX = /\.(internal|local|localdomain|lan|corp|home|intranet|svc|cluster\.local)$/i;

/** Whether a host name looks private: an IP literal, localhost, a single label or an internal suffix. */
function isInternalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h.includes(':') || /^(?:\d{1,3}\.){3}\d{1,3}$/.test(h) || !h.includes('.') || INTERNAL_SUFFIX.test(h);
}

/**
 * Replaces internal addresses in `text` with `[internal address]`: URLs on private hosts,
 * `host:port` pairs on them, and IPv4 literals.
 *
 * @example
 * maskInternalAddresses('connect to http://10.0.0.5:8000/v1 failed'); // 'connect to [internal address] failed'
 */
export function maskInternalAddresses(text: string): string {
  return text
    .replace(URL_PATTERN, (url: string, host: string) => (isInternalHost(host) ? '[internal address]' : url))
    .replace(HOST_PORT, (pair: string, host: string) => (isInternalHost(host) ? '[internal address]' : pair))
    .replace(IPV4, '[internal address]');
}
