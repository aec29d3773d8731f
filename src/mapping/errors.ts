/**
 * Mapping errors with file, line, column and field path, and the lookup of a field's
 * position in the YAML document.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type FieldPath = (string | number)[];

export class MappingError extends Error {
  readonly code = 'MAPPING_INVALID';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** "targets[0].mqtt.publish[1].topic"; '' for the whole file */
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${field ? field + ': ' : ''}${detail}`);
    this.name = 'MappingError';
  }
}

/** `targets[0].mqtt.publish.topic` */
export function formatField(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

interface Located {
  /** the value node at the deepest segment found */
  node: Node | null;
  /** the key node of the last pair found */
  key: Node | null;
  /** how many segments were found */
  depth: number;
}

function locate(doc: Document, path: FieldPath): Located {
  let current: unknown = doc.contents;
  let key: Node | null = null;
  let depth = 0;
  for (const seg of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      key = pair.key as Node;
      current = pair.value;
    } else if (isSeq(current) && typeof seg === 'number') {
      const item = current.items[seg];
      if (item === undefined) break;
      key = null;
      current = item;
    } else break;
    depth++;
  }
  return { node: (current as Node | null) ?? null, key, depth };
}

/** Where a field starts in the file; at its key when `atKey`. Falls back to the deepest parent found. */
export function positionOf(
  doc: Document | undefined,
  lc: LineCounter,
  path: FieldPath,
  options: { atKey?: boolean; offsetInString?: number } = {},
): { line: number; column: number } {
  if (!doc) return { line: 1, column: 1 };
  const found = locate(doc, path);
  const complete = found.depth === path.length;
  let node: Node | null = found.node;
  if ((options.atKey || !node) && found.key) node = found.key;
  if (!complete && found.key) node = found.key;
  const range = node?.range;
  if (!range) return { line: 1, column: 1 };
  let offset = range[0];
  if (complete && options.offsetInString !== undefined && isScalar(node) && typeof node.value === 'string') {
    // exact for plain and quoted one-line scalars without escapes; close enough otherwise
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    if (node.type === 'PLAIN' || quoted) offset += (quoted ? 1 : 0) + options.offsetInString;
  }
  const { line, col } = lc.linePos(offset);
  return { line, column: col };
}

/** Collects errors for one file. */
export class ErrorSink {
  readonly errors: MappingError[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lc: LineCounter,
  ) {}

  add(path: FieldPath, message: string, options: { atKey?: boolean; offsetInString?: number } = {}): void {
    const { line, column } = positionOf(this.doc, this.lc, path, options);
    this.errors.push(new MappingError(this.file, line, column, formatField(path), message));
  }
}
