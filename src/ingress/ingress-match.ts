import * as networking from '../../imports/networking.istio.io';
import { Names } from '../private/names';

/**
 * How a string is matched: exactly, by prefix, or by an RE2 regular expression (Envoy's dialect: no look-around,
 * no back-references).
 */
export class IngressValueMatch {
  /** Exactly `value`. */
  public static exact(value: string): IngressValueMatch {
    return new IngressValueMatch('exact', value);
  }

  /** Any string starting with `value`. */
  public static prefix(value: string): IngressValueMatch {
    return new IngressValueMatch('prefix', value);
  }

  /** Any string the RE2 expression `pattern` matches in full. */
  public static regex(pattern: string): IngressValueMatch {
    return new IngressValueMatch('regex', pattern);
  }

  /** `exact`, `prefix` or `regex`. */
  public readonly kind: string;
  /** The value or pattern. */
  public readonly value: string;

  private constructor(kind: 'exact' | 'prefix' | 'regex', value: string) {
    this.kind = kind;
    this.value = value;
  }

  /** Throws, naming `owner` and `what`, when Istio would reject the match. */
  public check(owner: string, what: string): void {
    if (this.kind === 'regex') checkRegex(owner, what, this.value);
    if (/[\r\n]/.test(this.value)) throw new Error(`${owner}: ${what} '${this.value}' has a line break`);
  }

  /** The Istio `StringMatch`. */
  public toIstio(): networking.VirtualServiceSpecHttpMatchHeaders {
    return { [this.kind]: this.value };
  }

  /** A stable text for comparing matches. */
  public toString(): string {
    return `${this.kind}:${this.value}`;
  }
}

/**
 * A request path: exact, prefix or regular expression.
 */
export class IngressPath {
  /** Exactly this path (`/productpage`). */
  public static exact(path: string): IngressPath {
    return new IngressPath(IngressValueMatch.exact(path));
  }

  /**
   * Paths starting with this text (`/status` matches `/status/200`, and `/statusx` too, as Istio prefixes do; end
   * with `/` to match only below a segment).
   */
  public static prefix(path: string): IngressPath {
    return new IngressPath(IngressValueMatch.prefix(path));
  }

  /** Paths an RE2 expression matches in full (`/api/v[0-9]+/.*`). */
  public static regex(pattern: string): IngressPath {
    return new IngressPath(IngressValueMatch.regex(pattern));
  }

  /** How the path is matched. */
  public readonly match: IngressValueMatch;

  private constructor(match: IngressValueMatch) {
    this.match = match;
  }

  /** Whether the path matches every request (`prefix('/')`). */
  public get matchesEverything(): boolean {
    return this.match.kind === 'prefix' && this.match.value === '/';
  }

  /** Throws, naming `owner`, when the path cannot match as written. */
  public check(owner: string): void {
    const { kind, value } = this.match;
    if (kind !== 'regex' && (!value.startsWith('/') || /[\s?#]/.test(value))) {
      throw new Error(`${owner}: path '${value}' must start with '/' and hold no spaces, '?' or '#' (match query `
        + 'parameters with queryParams)');
    }
    this.match.check(owner, 'path');
  }
}

/**
 * One way a request matches a rule: every condition given must hold (AND). A rule lists several to match any of
 * them (OR), as Gateway API's HTTPRoute matches do.
 */
export interface IngressMatch {
  /**
   * The request path.
   * @default - any path
   */
  readonly path?: IngressPath;
  /**
   * Request headers, by lower-case name.
   * @default - no header condition
   */
  readonly headers?: { [name: string]: IngressValueMatch };
  /**
   * Query parameters, by name.
   * @default - no query condition
   */
  readonly queryParams?: { [name: string]: IngressValueMatch };
  /**
   * The HTTP method, upper case (`GET`).
   * @default - any method
   */
  readonly method?: string;
}

/** Throws when a match cannot work; returns its canonical text (equal texts match the same requests). */
export function checkMatch(owner: string, match: IngressMatch): string {
  match.path?.check(owner);
  for (const [name, value] of Object.entries(match.headers ?? {})) {
    if (!Names.isHttpHeaderName(name)) {
      throw new Error(`${owner}: header '${name}' is not a lower-case HTTP header name (letters, digits and - _ . only, `
        + 'no pseudo-headers: match the path with `path` and the host with the route\'s hosts)');
    }
    value.check(owner, `header '${name}'`);
  }
  for (const [name, value] of Object.entries(match.queryParams ?? {})) {
    if (name.length === 0 || /[\s&=?#]/.test(name)) {
      throw new Error(`${owner}: query parameter name '${name}' must be non-empty, without spaces, '&', '=', '?' or '#'`);
    }
    if (value.kind === 'prefix') {
      // istio/api's HTTPMatchRequest documents exact and regex for query parameters; prefix is not supported.
      throw new Error(`${owner}: query parameter '${name}' cannot be matched by prefix (Istio matches query parameters `
        + `exactly or by regex); use IngressValueMatch.regex('${escapeRegex(value.value)}.*')`);
    }
    value.check(owner, `query parameter '${name}'`);
  }
  if (match.method !== undefined && !/^[A-Z]+$/.test(match.method)) {
    throw new Error(`${owner}: method '${match.method}' is not an upper-case HTTP method such as GET or POST`);
  }
  if (!match.path && !match.headers && !match.queryParams && match.method === undefined) {
    throw new Error(`${owner}: a match with no condition matches every request; give a path, header, query parameter `
      + 'or method, or put the action in the route\'s defaultRule');
  }
  return JSON.stringify([
    match.path?.match.toString(),
    sortedEntries(match.headers), sortedEntries(match.queryParams), match.method,
  ]);
}

/** Whether a checked match admits every request (a path prefix `/` and nothing else). */
export function matchesEverything(match: IngressMatch): boolean {
  return match.path?.matchesEverything === true && !match.headers && !match.queryParams && match.method === undefined;
}

/** The Istio `HTTPMatchRequest` of a checked match. */
export function renderMatch(match: IngressMatch): networking.VirtualServiceSpecHttpMatch {
  const values = (entries?: { [name: string]: IngressValueMatch }) => entries && Object.fromEntries(
    Object.keys(entries).sort().map(name => [name, entries[name].toIstio()]));
  return {
    uri: match.path?.match.toIstio(),
    headers: values(match.headers),
    queryParams: values(match.queryParams),
    method: match.method === undefined ? undefined : { exact: match.method },
  };
}

function sortedEntries(entries?: { [name: string]: IngressValueMatch }): string[] | undefined {
  return entries && Object.keys(entries).sort().map(name => `${name}=${entries[name].toString()}`);
}

/**
 * A JavaScript RegExp accepts more than RE2 (look-around, back-references), which Envoy rejects at load time: the
 * constructs that RE2 lacks are refused, the rest must at least compile.
 */
function checkRegex(owner: string, what: string, pattern: string): void {
  if (pattern.length === 0) throw new Error(`${owner}: ${what} regex is empty`);
  if (/\(\?[=!<]|\\[1-9]/.test(pattern)) {
    throw new Error(`${owner}: ${what} regex '${pattern}' uses look-around or a back-reference, which RE2 (Envoy's `
      + 'regex engine) does not support');
  }
  try {
    new RegExp(pattern);
  } catch (e) {
    throw new Error(`${owner}: ${what} regex '${pattern}' does not compile: ${(e as Error).message}`);
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
