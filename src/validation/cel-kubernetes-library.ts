import { CelFunc, CelMap, CelScalar, celFunc, celMethod, listType, mapType } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/**
 * The CEL functions the Kubernetes API server offers to `x-kubernetes-validations` rules beyond standard CEL, as far as
 * the bundled CRDs need them. Internal.
 *
 * - the `strings` extension (`@bufbuild/cel/ext`);
 * - the URL library (`k8s.io/apiserver/pkg/cel/library/urls.go`): `url()`, `isURL()` and the `getScheme()`… accessors;
 * - `int(string)` failing with cel-go's wording, so a rule that trips on a non-numeric key reads as the API server's
 *   error does ("type conversion error from 'string' to 'int'").
 */
export class CelKubernetesLibrary {
  /**
   * Functions the planner implements itself rather than through the function registry; they are always available.
   */
  public static readonly BUILTIN_OPERATORS: ReadonlySet<string> = new Set(['_&&_', '_||_', '_?_:_', '@not_strictly_false']);

  /** Every extra function, ready for `celEnv({ funcs })`. */
  public static functions(): CelFunc[] {
    return [...strings, ...urlFunctions(), intFromString()];
  }
}

/** A URL value: a map tagged with a key no CRD data can produce, so the accessors only accept `url()` results. */
const URL_TAG = '@kubernetes.url';
const URL_TYPE = mapType(CelScalar.STRING, CelScalar.DYN);

interface ParsedUrl {
  readonly scheme: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly escapedPath: string;
  readonly query: Record<string, string[]>;
}

function urlFunctions(): CelFunc[] {
  const accessor = (name: string, field: keyof ParsedUrl) =>
    celMethod(name, URL_TYPE, [], CelScalar.STRING, function (this: CelMap) {
      return String(urlField(this, field));
    });
  return [
    celFunc('url', [CelScalar.STRING], URL_TYPE, (s: string) => {
      const parsed = parseRequestUri(s);
      if (typeof parsed === 'string') throw new Error(`URL parse error during conversion from string: ${parsed}`);
      // A CEL map holds the parts; the query stays raw (its list values are rebuilt by getQuery()).
      return {
        [URL_TAG]: true,
        scheme: parsed.scheme,
        host: parsed.host,
        hostname: parsed.hostname,
        port: parsed.port,
        escapedPath: parsed.escapedPath,
        rawQuery: parsed.rawQuery,
      };
    }),
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s: string) => typeof parseRequestUri(s) !== 'string'),
    accessor('getScheme', 'scheme'),
    accessor('getHost', 'host'),
    accessor('getHostname', 'hostname'),
    accessor('getPort', 'port'),
    accessor('getEscapedPath', 'escapedPath'),
    celMethod('getQuery', URL_TYPE, [], mapType(CelScalar.STRING, listType(CelScalar.STRING)), function (this: CelMap) {
      return parseQuery(String(urlField(this, 'rawQuery')));
    }),
  ];
}

function urlField(url: CelMap, field: string): unknown {
  if (url.get(URL_TAG) !== true) throw new Error('no such overload: the receiver is not a URL');
  return url.get(field) ?? '';
}

/**
 * Go's `url.ParseRequestURI`, the parser behind the Kubernetes URL library: an absolute URL with a scheme, or an
 * absolute path. Returns the parts, or the parse error as a string.
 */
export function parseRequestUri(s: string): (ParsedUrl & { rawQuery: string }) | string {
  if (/[\x00-\x1f\x7f]/.test(s)) return `parse ${JSON.stringify(s)}: net/url: invalid control character in URL`;
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(s);
  let scheme = '';
  let rest = s;
  if (match) {
    scheme = match[1].toLowerCase();
    rest = match[2];
  } else if (!s.startsWith('/')) {
    return `parse ${JSON.stringify(s)}: invalid URI for request`;
  }
  const queryAt = rest.indexOf('?');
  const rawQuery = queryAt >= 0 ? rest.slice(queryAt) : '';
  rest = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  let host = '';
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    host = end >= 0 ? rest.slice(2, end) : rest.slice(2);
    rest = end >= 0 ? rest.slice(end) : '';
    const at = host.lastIndexOf('@');
    if (at >= 0) host = host.slice(at + 1);
  }
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(host);
  const plain = /^([^:]*)(?::(\d*))?$/.exec(host);
  if (host !== '' && !bracketed && !plain) return `parse ${JSON.stringify(s)}: invalid port after host`;
  const hostname = bracketed ? bracketed[1] : plain![1];
  const port = (bracketed ? bracketed[2] : plain![2]) ?? '';
  return { scheme, host, hostname, port, escapedPath: rest, query: parseQuery(rawQuery), rawQuery };
}

/** `?a=1&a=2&b` → `{ a: ['1', '2'], b: [''] }`, as Go's `url.Values`. */
function parseQuery(rawQuery: string): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const pair of rawQuery.replace(/^\?/, '').split('&').filter(p => p !== '')) {
    const [key, value = ''] = pair.split('=', 2);
    (query[safeDecode(key)] ??= []).push(safeDecode(value));
  }
  return query;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function intFromString(): CelFunc {
  return celFunc('int', [CelScalar.STRING], CelScalar.INT, (s: string) => {
    if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`type conversion error from 'string' to 'int': ${JSON.stringify(s)}`);
    const value = BigInt(s);
    if (value > 9223372036854775807n || value < -9223372036854775808n) throw new Error('integer overflow');
    return value;
  });
}
