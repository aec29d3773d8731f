/**
 * Endpoint-name globs (`*` any run of characters, `?` one character, everything else
 * literal) matched without regular expressions: names come from devices and patterns
 * from HTTP queries or mapping files, so the match must not backtrack. The two-pointer
 * algorithm below remembers only the latest `*` and takes O(pattern * name) steps in
 * the worst case (usually linear), never exponential.
 */

/** Longest glob accepted from outside (an HTTP query). */
export const MAX_GLOB_LENGTH = 256;
/** Most comma-separated globs accepted in one filter. */
export const MAX_GLOBS = 32;

/** True when `name` matches `glob` as a whole. Characters are UTF-16 code units. */
export function globMatch(glob: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1; // index in glob of the latest `*`
  let resume = 0; // index in name where that `*` is to take one more character
  while (n < name.length) {
    const c = glob.charCodeAt(p);
    if (p < glob.length && c !== 42 /* * */ && (c === 63 /* ? */ || c === name.charCodeAt(n))) {
      p++;
      n++;
    } else if (p < glob.length && c === 42) {
      star = p++;
      resume = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++resume;
    } else return false;
  }
  while (p < glob.length && glob.charCodeAt(p) === 42) p++;
  return p === glob.length;
}

/** True when the glob has a wildcard (otherwise it is a plain name). */
export function isGlob(glob: string): boolean {
  return glob.includes('*') || glob.includes('?');
}

/** A matcher for any of several globs (an empty list matches nothing). */
export function globsMatcher(globs: readonly string[]): (name: string) => boolean {
  const exact = new Set(globs.filter((g) => !isGlob(g)));
  const wild = [...new Set(globs.filter(isGlob))];
  return (name) => exact.has(name) || wild.some((g) => globMatch(g, name));
}

/** Why a list of globs from outside is refused, or undefined when it is acceptable. */
export function globListProblem(globs: readonly string[]): string | undefined {
  if (globs.length > MAX_GLOBS) return `at most ${MAX_GLOBS} patterns, not ${globs.length}`;
  const long = globs.find((g) => g.length > MAX_GLOB_LENGTH);
  if (long !== undefined) return `a pattern is at most ${MAX_GLOB_LENGTH} characters (one has ${long.length})`;
  return undefined;
}
