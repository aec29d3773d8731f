/**
 * The numbers of object 5 (Firmware Update) and what they mean: State (/5/0/3), Update
 * Result (/5/0/5), Firmware Update Protocol Support (/5/0/8) and Delivery Method (/5/0/9).
 */

export const FW = {
  OBJECT: 5,
  PACKAGE: 0,
  PACKAGE_URI: 1,
  UPDATE: 2,
  STATE: 3,
  RESULT: 5,
  PROTOCOLS: 8,
  DELIVERY: 9,
} as const;

/** /5/0/3 */
export const STATE_NAMES: Readonly<Record<number, string>> = { 0: 'idle', 1: 'downloading', 2: 'downloaded', 3: 'updating' };

/** /5/0/5: 0 is the initial value, 1 success, 2..11 failures */
export const RESULT_MEANINGS: Readonly<Record<number, string>> = {
  0: 'initial value',
  1: 'firmware updated successfully',
  2: 'not enough flash memory for the new package',
  3: 'out of RAM during download',
  4: 'connection lost during download',
  5: 'integrity check failure of the new package',
  6: 'unsupported package type',
  7: 'invalid URI',
  8: 'firmware update failed',
  9: 'unsupported protocol',
  10: 'firmware update cancelled',
  11: 'firmware update deferred',
};

export function resultMeaning(n: number): string {
  return RESULT_MEANINGS[n] ?? `unknown update result ${n}`;
}

/** /5/0/8 values and the URL schemes they stand for */
export const PROTOCOL_SCHEMES: Readonly<Record<number, string>> = { 0: 'coap', 1: 'coaps', 2: 'http', 3: 'https', 4: 'coap+tcp', 5: 'coaps+tcp' };

/** /5/0/9 */
export const DELIVERY = { PULL: 0, PUSH: 1, BOTH: 2 } as const;
