/** What every file of operations/ shares: the context, the error, path handling. */
import { LwM2mPath } from '../../path.js';
import type { CodecRegistry } from '../../codec/registry.js';
import type { ModelProvider } from '../../model/types.js';
import type { DecodeLimits } from '../../codec/codec.js';
import type { PathLike } from '../types.js';

export interface OperationContext {
  codecs: CodecRegistry;
  models: ModelProvider;
  limits?: DecodeLimits;
}

export class OperationError extends Error {
  constructor(
    readonly code: 'BAD_REQUEST',
    message: string,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

export function badRequest(message: string): OperationError {
  return new OperationError('BAD_REQUEST', message);
}

/** A path from a string or LwM2mPath; anything else or a bad string is a BAD_REQUEST. */
export function toPath(p: PathLike | undefined): LwM2mPath {
  if (p instanceof LwM2mPath) return p;
  if (typeof p !== 'string') throw badRequest('path must be a string or LwM2mPath');
  try {
    return LwM2mPath.parse(p);
  } catch (e) {
    throw badRequest(e instanceof Error ? e.message : String(e));
  }
}

/** Every path of a composite request; at least one, no root. */
export function toPaths(list: readonly PathLike[] | undefined): LwM2mPath[] {
  if (!Array.isArray(list) || list.length === 0) throw badRequest('a composite operation needs at least one path');
  return list.map((p) => {
    const path = toPath(p);
    if (path.isRoot()) throw badRequest('a composite path must name at least an object');
    return path;
  });
}
