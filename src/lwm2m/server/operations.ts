// STUB (contract): the operations helper replaces this file. Signatures are fixed.
/**
 * Typed operations <-> binding-level requests: picks the content format from what the
 * client announced, encodes values with the codecs, decodes responses into typed results.
 * Pure: no I/O, no timers.
 */
import type { CodecRegistry } from '../codec/registry.js';
import type { ModelProvider } from '../model/types.js';
import type { DecodeLimits } from '../codec/codec.js';
import type { DownlinkRequest, DownlinkResponse } from '../transport.js';
import type { TimestampedNodes } from '../node.js';
import type { OperationRequest, OperationResult, Registration } from './types.js';

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

/** Build the downlink for `req` (for observe ops, `token` is the observation's token). Throws OperationError. */
export function toDownlink(_reg: Registration, _req: OperationRequest, _ctx: OperationContext, _token?: Uint8Array): DownlinkRequest {
  throw new OperationError('BAD_REQUEST', 'not implemented');
}

/** Turn the client's response into a typed result. Never throws: decode failures give success=false, error BAD_RESPONSE. */
export function toResult(_reg: Registration, _req: OperationRequest, _downlink: DownlinkRequest, _res: DownlinkResponse, _ctx: OperationContext): OperationResult {
  return { success: false, error: { code: 'BAD_RESPONSE', message: 'not implemented' } };
}

/**
 * Notifications: decode like the response to the observe request that started them
 * (call toResult with the observe/observeComposite request and the notification as response).
 */

/** Decode a Send (/dp) payload. */
export function decodeSend(
  _reg: Registration,
  _contentFormat: number | undefined,
  _payload: Uint8Array,
  _ctx: OperationContext,
): { ok: true; data: TimestampedNodes[] } | { ok: false; code: '4.00' | '4.15'; message: string } {
  return { ok: false, code: '4.15', message: 'not implemented' };
}
