/**
 * CoAP transmission parameters (RFC 7252 section 4.8) and the values derived from them
 * (section 4.8.2). Kept per transport instance so tests can shorten them.
 */
export interface CoapTiming {
  /** ACK_TIMEOUT, ms */
  ackTimeoutMs: number;
  /** ACK_RANDOM_FACTOR (>= 1) */
  ackRandomFactor: number;
  /** MAX_RETRANSMIT */
  maxRetransmit: number;
  /** NSTART: outstanding CON requests per peer */
  nstart: number;
  /** MAX_LATENCY, ms */
  maxLatencyMs: number;
  /** PROCESSING_DELAY, ms */
  processingDelayMs: number;
  /** EXCHANGE_LIFETIME, ms: how long a CON message id is remembered for deduplication */
  exchangeLifetimeMs: number;
  /** NON_LIFETIME, ms: the same for NON messages */
  nonLifetimeMs: number;
}

export const DEFAULT_TIMING = {
  ackTimeoutMs: 2000,
  ackRandomFactor: 1.5,
  maxRetransmit: 4,
  nstart: 1,
  maxLatencyMs: 100_000,
} as const;

/** MAX_TRANSMIT_SPAN: first transmission to last retransmission of a CON, ms. */
export function maxTransmitSpan(t: Pick<CoapTiming, 'ackTimeoutMs' | 'ackRandomFactor' | 'maxRetransmit'>): number {
  return t.ackTimeoutMs * (2 ** t.maxRetransmit - 1) * t.ackRandomFactor;
}

/** MAX_TRANSMIT_WAIT: first transmission to giving up on an ACK, ms. */
export function maxTransmitWait(t: Pick<CoapTiming, 'ackTimeoutMs' | 'ackRandomFactor' | 'maxRetransmit'>): number {
  return t.ackTimeoutMs * (2 ** (t.maxRetransmit + 1) - 1) * t.ackRandomFactor;
}

/**
 * Fills the parameters not given, deriving EXCHANGE_LIFETIME and NON_LIFETIME from
 * the others unless they were given too. Bad values fall back to the defaults.
 */
export function resolveTiming(partial: Partial<CoapTiming> = {}): CoapTiming {
  const num = (v: number | undefined, def: number, min: number): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min ? v : def;
  const ackTimeoutMs = num(partial.ackTimeoutMs, DEFAULT_TIMING.ackTimeoutMs, 1);
  const ackRandomFactor = num(partial.ackRandomFactor, DEFAULT_TIMING.ackRandomFactor, 1);
  const maxRetransmit = Math.floor(num(partial.maxRetransmit, DEFAULT_TIMING.maxRetransmit, 0));
  const nstart = Math.floor(num(partial.nstart, DEFAULT_TIMING.nstart, 1));
  const maxLatencyMs = num(partial.maxLatencyMs, DEFAULT_TIMING.maxLatencyMs, 0);
  const processingDelayMs = num(partial.processingDelayMs, ackTimeoutMs, 0);
  const span = maxTransmitSpan({ ackTimeoutMs, ackRandomFactor, maxRetransmit });
  return {
    ackTimeoutMs,
    ackRandomFactor,
    maxRetransmit,
    nstart,
    maxLatencyMs,
    processingDelayMs,
    exchangeLifetimeMs: num(partial.exchangeLifetimeMs, span + 2 * maxLatencyMs + processingDelayMs, 0),
    nonLifetimeMs: num(partial.nonLifetimeMs, span + maxLatencyMs, 0),
  };
}

/** The first retransmission timeout: random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] (4.2). */
export function initialTimeout(t: CoapTiming, random: () => number = Math.random): number {
  return t.ackTimeoutMs * (1 + random() * (t.ackRandomFactor - 1));
}
