
/**
 * How an `IngressValueMatch` compares.
 */
export enum IngressMatchKind {
  /** The whole string. */
  EXACT = 'exact',
  /** The start of the string. */
  PREFIX = 'prefix',
  /** An RE2 expression over the whole string. */
  REGEX = 'regex',
}

/**
 * How a string is matched: exactly, by prefix, or by an RE2 regular expression (Envoy's dialect: no look-around,
 * no back-references).
 */
export class IngressValueMatch {
  /** Exactly `value`. */
  public static exact(value: string): IngressValueMatch {
    return new IngressValueMatch(IngressMatchKind.EXACT, value);
  }

  /** Any string starting with `value`. */
  public static prefix(value: string): IngressValueMatch {
    return new IngressValueMatch(IngressMatchKind.PREFIX, value);
  }

  /** Any string the RE2 expression `pattern` matches in full. */
  public static regex(pattern: string): IngressValueMatch {
    return new IngressValueMatch(IngressMatchKind.REGEX, pattern);
  }

  /** How it compares. */
  public readonly kind: IngressMatchKind;
  /** The value or pattern. */
  public readonly value: string;

  private constructor(kind: IngressMatchKind, value: string) {
    this.kind = kind;
    this.value = value;
  }

  /** Throws, naming `owner` and `what`, when Istio would reject the match. */
  public check(owner: string, what: string): void {
    if (this.kind === IngressMatchKind.REGEX) checkRegex(owner, what, this.value);
    if (/[\r\n]/.test(this.value)) throw new Error(`${owner}: ${what} '${this.value}' has a line break`);
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
    return this.match.kind === IngressMatchKind.PREFIX && this.match.value === '/';
  }

  /** Throws, naming `owner`, when the path cannot match as written. */
  public check(owner: string): void {
    const { kind, value } = this.match;
    if (kind !== IngressMatchKind.REGEX && (!value.startsWith('/') || /[\s?#]/.test(value))) {
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
