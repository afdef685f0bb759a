import { IngressMatch, IngressMatchKind, IngressValueMatch } from './ingress-match';
import * as networking from '../../imports/networking.istio.io';
import { Names } from '../private/names';

// Internal: the checks and rendering of route matches.

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
    if (value.kind === IngressMatchKind.PREFIX) {
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
    Object.keys(entries).sort().map(name => [name, renderValueMatch(entries[name])!]));
  return {
    uri: renderValueMatch(match.path?.match),
    headers: values(match.headers),
    queryParams: values(match.queryParams),
    method: match.method === undefined ? undefined : { exact: match.method },
  };
}

function sortedEntries(entries?: { [name: string]: IngressValueMatch }): string[] | undefined {
  return entries && Object.keys(entries).sort().map(name => `${name}=${entries[name].toString()}`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The Istio `StringMatch` of a value match. */
export function renderValueMatch(match: IngressValueMatch | undefined): networking.VirtualServiceSpecHttpMatchHeaders | undefined {
  return match && { [match.kind]: match.value };
}
