import { EgressGrantOptions, EgressRequestMatch } from './egress-request';
import { Names } from '../private/names';

// Internal: the checks of a request-level grant's options.

const METHOD = /^[A-Z]+$/;

/** The request conditions of grant options, checked, or undefined when the grant is host-level. */
export function requestMatchOf(owner: string, options: EgressGrantOptions): EgressRequestMatch | undefined {
  const methods = options.methods?.map(m => m.toUpperCase());
  for (const method of methods ?? []) {
    if (!METHOD.test(method)) {
      throw new Error(`${owner}: method '${method}' is not an HTTP method; use names such as GET or POST`);
    }
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!Names.isHttpHeaderName(name)) {
      throw new Error(`${owner}: header '${name}' is not a lower-case HTTP header name (letters, digits and - _ . only; `
        + 'no pseudo-headers); write it as it is sent, e.g. \'x-team\'');
    }
    if (/[\r\n]/.test(value)) throw new Error(`${owner}: header '${name}' has a line break in its value`);
  }
  const empty = (list?: unknown[]) => list !== undefined && list.length === 0;
  if (empty(methods) || empty(options.paths)) {
    throw new Error(`${owner}: an empty methods or paths list would admit nothing; leave it out to admit any`);
  }
  if (!methods && !options.paths && !options.headers) return undefined;
  return { methods: methods && [...new Set(methods)].sort(), paths: options.paths, headers: options.headers };
}
