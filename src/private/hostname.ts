import { Ip } from './ip';
import { Names } from './names';

/** Whether a host is a `*.example.com` wildcard. */
export function isWildcard(host: string): boolean {
  return host.startsWith('*.');
}

/**
 * Checks an external host name the way istiod does (a wildcard only as the whole first label), and further
 * requires a dot: a MESH_EXTERNAL short name would resolve against the client's search domains, not the internet.
 */
export function checkHostname(host: string, path: string, what: string): void {
  if (host === '*') {
    throw new Error(`${path}: ${what} '*' would match every host and Istio rejects it; list the hosts, or use a `
      + 'wildcard for one domain such as \'*.example.com\'');
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host);
  if (scheme) {
    throw new Error(`${path}: ${what} '${host}' has a scheme; drop '${scheme[0]}' and write '${host.slice(scheme[0].length).replace(/\/.*$/, '')}' `
      + '(the protocol is the port\'s: ExternalPort.https() for https)');
  }
  const withPort = /^(.*):(\d+)$/.exec(host);
  if (withPort) {
    throw new Error(`${path}: ${what} '${host}' has a port; write '${withPort[1]}' and declare port ${withPort[2]} with ExternalPort`);
  }
  if (Ip.isAddress(host)) {
    throw new Error(`${path}: ${what} '${host}' is an IP address, which Istio does not match as a host; name the host and `
      + 'give the address as an endpoint (resolution STATIC) or in `addresses`');
  }
  const name = isWildcard(host) ? host.slice(2) : host;
  const labels = name.split('.');
  const problem =
    host !== host.toLowerCase() ? 'has upper-case letters (use lower case)'
      : name.includes('*') ? 'has a wildcard that is not the whole first label (write \'*.example.com\')'
        : host.length > 253 ? 'is longer than 253 characters'
          : labels.length < 2 ? 'is not fully qualified (add its domain, e.g. \'api.example.com\')'
            : labels.some(l => !Names.isDns1123Label(l)) ? 'has a label that is not lower-case alphanumerics and \'-\' (1-63 characters)'
              : undefined;
  if (problem) {
    throw new Error(`${path}: ${what} '${host}' ${problem}`);
  }
}

/**
 * The SNI of the sidecar → gateway mTLS hop for a host. It selects the host's server on the gateway's shared port
 * and is what grants match (`connection.sni`). A wildcard host has no name to send, so it sends a concrete name the
 * server's `*.domain` filter chain matches.
 */
export function hopSni(host: string): string {
  return host.replace(/^\*\./, 'wildcard.');
}
