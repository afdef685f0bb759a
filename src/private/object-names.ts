import { createHash } from 'crypto';

/**
 * The one way generated object names are made: readable first (the content they are derived from, lower-cased,
 * with `*` spelled `wildcard`), and a digest of that content only where a name must be cut to its length limit.
 * Sanitizing can make two contents read the same (`a-b.c`, `a.b-c`); the constructs that use these names refuse
 * such pairs at synth rather than emit one object over another.
 */
export class ObjectNames {
  /** A DNS-1123 label (at most 63 characters: port names, subset names) derived from `content`. */
  public static label(content: string): string {
    return fit(sanitize(content, /[^a-z0-9-]+/g), 63, content);
  }

  /** A DNS-1123 subdomain (at most 253 characters: most object names) derived from `content`; dots are kept. */
  public static subdomain(content: string): string {
    const name = sanitize(content, /[^a-z0-9.-]+/g).replace(/\.{2,}/g, '.').replace(/-?\.-?/g, '.');
    return fit(name, 253, content);
  }

  /** Eight hex digits that stand for `content`, where the content itself cannot be the name. */
  public static digest(content: string): string {
    return createHash('sha256').update(content).digest('hex').slice(0, 8);
  }
}

function sanitize(content: string, invalid: RegExp): string {
  return content.toLowerCase().replace(/\*/g, 'wildcard').replace(invalid, '-').replace(/^[-.]+|[-.]+$/g, '');
}

function fit(name: string, max: number, content: string): string {
  return name.length <= max && name.length > 0 ? name : withDigest(name, max, content);
}

function withDigest(name: string, max: number, content: string): string {
  const digest = ObjectNames.digest(content);
  const base = name.slice(0, max - digest.length - 1).replace(/[-.]+$/, '');
  return base ? `${base}-${digest}` : digest;
}
