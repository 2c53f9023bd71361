// Bounded parsers for query parameters; each throws a 400 that says what was expected.
import { badRequest } from './errors.ts';

/** A raw query string as Koa parses it: repeated keys become arrays. */
export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

/** The value of a single-valued parameter; a repeated one is a 400. */
export function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw badRequest(`parameter "${name.slice(0, 40)}" is given ${value.length} times; give it once`);
  return value;
}

/** Refuses any parameter the endpoint does not define, so a misspelt one is not silently ignored
 *  (OGC API – Features /req/core/query-param-unknown). */
export function rejectUnknownParameters(query: RawQuery, known: ReadonlySet<string> | readonly string[]): void {
  const isKnown = (name: string) => ('has' in known ? known.has(name) : known.includes(name));
  for (const name of Object.keys(query)) {
    if (!isKnown(name)) {
      const accepted = [...known];
      const hint = accepted.length ? `accepts: ${accepted.join(', ')}` : 'takes no parameters';
      throw badRequest(`unknown parameter "${name.slice(0, 40)}"; this endpoint ${hint}`, 'InvalidParameter');
    }
  }
}
