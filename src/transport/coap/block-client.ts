/**
 * Block-wise transfers of downlinks (RFC 7959): request payloads larger than a block
 * go out in Block1 blocks; responses that come in Block2 blocks are fetched to the end
 * and reassembled, bounded in total size.
 */
import { TransportError } from '../../lwm2m/transport.js';
import type { Peer } from '../../lwm2m/transport.js';
import type { BlockValue } from './block.js';
import { blockOption, blockSize, getBlock, szxFor } from './block.js';
import type { CoapMessage } from './message.js';
import { Method, code, codeClass } from './message.js';
import { Opt, getOption, getUintOption, uintOption } from './options.js';
import type { Requester, RequestSpec } from './requester.js';

const CONTINUE = code(2, 31);
const ENTITY_TOO_LARGE = code(4, 13);
/** how often a transfer starts over (smaller blocks, changed representation) before giving up */
const MAX_RESTARTS = 4;

export interface BlockClientOptions {
  /** preferred SZX (block size 2^(szx+4)) */
  szx: number;
  /** largest reassembled response body */
  maxBodySize: number;
}

export interface TransferResult {
  /** the response that carries code and options (the first block of a Block2 transfer) */
  response: CoapMessage;
  /** the whole body */
  payload: Buffer;
}

function withoutBlockOptions(spec: RequestSpec): RequestSpec['options'] {
  return spec.options.filter(
    (o) => o.number !== Opt.Block1 && o.number !== Opt.Block2 && o.number !== Opt.Size1 && o.number !== Opt.Size2,
  );
}

/** The SZX a 4.13 answer asks for (its Block1 or Size1), if smaller than what was sent. */
export function shrinkTo(response: CoapMessage, sentBytes: number): number | undefined {
  const hints: number[] = [];
  const b1 = getBlock(response.options, Opt.Block1);
  if (b1) hints.push(b1.szx);
  const size1 = getUintOption(response.options, Opt.Size1);
  if (size1 !== undefined && size1 >= 16) hints.push(szxFor(size1));
  if (hints.length === 0) return undefined;
  const szx = Math.min(...hints);
  return blockSize(szx) < sentBytes ? szx : undefined;
}

export class BlockClient {
  constructor(
    private readonly requester: Requester,
    private readonly opts: BlockClientOptions,
  ) {}

  /**
   * Sends a request with its payload in Block1 blocks when it is larger than a block,
   * then follows a Block2 response to its end. `blockDeadline` bounds a block-wise transfer.
   */
  async transfer(
    peer: Peer,
    spec: RequestSpec,
    deadline: number,
    blockDeadline: number,
    onFirstResponse?: (response: CoapMessage) => void,
  ): Promise<TransferResult> {
    let szx = this.opts.szx;
    const first: RequestSpec = { ...spec, options: withoutBlockOptions(spec) };
    const bodyLarge = first.payload.length > blockSize(szx);
    if (!bodyLarge) {
      if (szx < 6 && (first.code === Method.GET || first.code === Method.FETCH)) {
        // early negotiation of a smaller response block size (RFC 7959 2.4)
        first.options = [...first.options, blockOption(Opt.Block2, { num: 0, more: false, szx })];
      }
      const response = await this.requester.request(peer, first, deadline);
      onFirstResponse?.(response);
      const smaller = response.code === ENTITY_TOO_LARGE ? shrinkTo(response, first.payload.length) : undefined;
      if (smaller === undefined) return this.followBlock2(peer, first, response, Math.min(deadline, blockDeadline), false);
      szx = smaller;
    }
    const end = Math.min(deadline, blockDeadline);
    const final = await this.sendBlock1(peer, first, szx, end);
    onFirstResponse?.(final);
    return this.followBlock2(peer, first, final, end, true);
  }

  private async sendBlock1(peer: Peer, spec: RequestSpec, startSzx: number, deadline: number): Promise<CoapMessage> {
    const body = spec.payload;
    const base = withoutBlockOptions(spec);
    let szx = startSzx;
    let restarts = 0;
    let token = spec.token ?? this.requester.newToken(peer);
    let offset = 0;
    for (;;) {
      const size = blockSize(szx);
      const more = offset + size < body.length;
      const options = [...base, blockOption(Opt.Block1, { num: offset / size, more, szx })];
      if (offset === 0) options.push(uintOption(Opt.Size1, body.length));
      const response = await this.requester.request(
        peer,
        { code: spec.code, options, payload: body.subarray(offset, offset + size), token },
        deadline,
      );
      if (response.code === ENTITY_TOO_LARGE) {
        // the device wants smaller blocks: start over with them (RFC 7959 2.9.3)
        const smaller = shrinkTo(response, size);
        if (smaller === undefined || restarts >= MAX_RESTARTS) return response;
        restarts++;
        szx = smaller;
        offset = 0;
        token = spec.token ?? this.requester.newToken(peer);
        continue;
      }
      if (!more || response.code !== CONTINUE) return response;
      const asked = getBlock(response.options, Opt.Block1);
      offset += size;
      // the device may ask for smaller blocks in its 2.31 (RFC 7959 2.3)
      if (asked && asked.szx < szx) szx = asked.szx;
    }
  }

  /**
   * Fetches the remaining blocks of a Block2 response. `sentBlock1` drops the request
   * payload from the follow-ups (it went out block by block already).
   */
  async followBlock2(
    peer: Peer,
    spec: RequestSpec,
    firstResponse: CoapMessage,
    deadline: number,
    sentBlock1: boolean,
  ): Promise<TransferResult> {
    let response = firstResponse;
    for (let restarts = 0; ; restarts++) {
      const b2 = getBlock(response.options, Opt.Block2);
      if (!b2 || !b2.more || b2.num !== 0 || codeClass(response.code) !== 2) {
        return { response, payload: response.payload };
      }
      const result = await this.collect(peer, spec, response, b2, deadline, sentBlock1);
      if (result) return result;
      if (restarts >= MAX_RESTARTS) throw new TransportError('RESET', 'the device changed the resource during every transfer');
      // the representation changed under the transfer: start over from block 0
      response = await this.requester.request(peer, this.followUp(spec, 0, b2.szx, sentBlock1), deadline);
    }
  }

  private followUp(spec: RequestSpec, num: number, szx: number, sentBlock1: boolean): RequestSpec {
    const options = withoutBlockOptions(spec).filter((o) => o.number !== Opt.Observe);
    options.push(blockOption(Opt.Block2, { num, more: false, szx }));
    // plain requests with fresh tokens: an observation keeps its own token (RFC 7959 2.6)
    return { code: spec.code, options, payload: sentBlock1 ? Buffer.alloc(0) : spec.payload };
  }

  /** undefined when the ETag changed or blocks do not line up (restart). */
  private async collect(
    peer: Peer,
    spec: RequestSpec,
    first: CoapMessage,
    b2: BlockValue,
    deadline: number,
    sentBlock1: boolean,
  ): Promise<TransferResult | undefined> {
    const etag = getOption(first.options, Opt.ETag);
    const parts: Buffer[] = [first.payload];
    let received = first.payload.length;
    let szx = b2.szx;
    for (;;) {
      const size = blockSize(szx);
      if (received % size !== 0) return undefined;
      const r = await this.requester.request(peer, this.followUp(spec, received / size, szx, sentBlock1), deadline);
      if (codeClass(r.code) !== 2) return { response: r, payload: r.payload };
      const rb = getBlock(r.options, Opt.Block2);
      if (!rb) return { response: r, payload: r.payload }; // the device sent the whole body at once
      const retag = getOption(r.options, Opt.ETag);
      if ((etag && (!retag || !retag.equals(etag))) || rb.num * blockSize(rb.szx) !== received) return undefined;
      received += r.payload.length;
      if (received > this.opts.maxBodySize) {
        throw new TransportError('TOO_LARGE', `block-wise response over ${this.opts.maxBodySize} bytes`);
      }
      parts.push(r.payload);
      szx = rb.szx;
      if (!rb.more) return { response: first, payload: Buffer.concat(parts, received) };
      if (r.payload.length !== blockSize(rb.szx)) return undefined;
    }
  }
}
