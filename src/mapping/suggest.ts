/**
 * "Did you mean" for names written in mapping files: the candidate nearest to a
 * misspelled key, object, resource or placeholder by Damerau-Levenshtein distance
 * (optimal string alignment: insert, delete, replace, swap two neighbours).
 * Bounded: long words and long candidate lists get no suggestion.
 */

/** Words longer than this get no suggestion. */
export const MAX_WORD_LENGTH = 64;
/** Only this many candidates are compared. */
export const MAX_CANDIDATES = 2000;

/** The distance between a and b, or max + 1 as soon as it exceeds max. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let row = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[n]!;
}

/** How far a word of this length may be from a suggestion. */
function allowed(length: number): number {
  return length <= 2 ? 0 : length <= 4 ? 1 : length <= 8 ? 2 : 3;
}

export interface Candidate {
  /** what is compared with the word (case-insensitively) */
  key: string;
  /** what is suggested; the key when absent */
  label?: string;
}

/**
 * The candidate nearest to `word`, case-insensitively, within a distance that grows
 * with the word's length; undefined when none is near (a candidate equal to the word is
 * not a suggestion). On a tie the first one listed wins, or none with `unique` (for
 * numbers, where 3330 is as near to 3300 as to 3303).
 */
export function nearest(word: string, candidates: Iterable<string | Candidate>, options: { unique?: boolean } = {}): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD_LENGTH) return undefined;
  const w = word.toLowerCase();
  const max = allowed(w.length);
  if (max === 0) return undefined;
  let best: string | undefined;
  let bestDistance = max + 1;
  let tied = false;
  let seen = 0;
  for (const c of candidates) {
    if (++seen > MAX_CANDIDATES) break;
    const key = typeof c === 'string' ? c : c.key;
    if (key.length > MAX_WORD_LENGTH || key === word) continue;
    const label = typeof c === 'string' ? c : (c.label ?? c.key);
    const d = editDistance(w, key.toLowerCase(), Math.min(max, bestDistance));
    if (d < bestDistance) {
      bestDistance = d;
      best = label;
      tied = false;
    } else if (d === bestDistance && d <= max && label !== best) tied = true;
  }
  return tied && options.unique ? undefined : best;
}
