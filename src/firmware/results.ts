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

/** Object 9 (Software Management) resources */
export const SW = {
  OBJECT: 9,
  PKG_NAME: 0,
  PKG_VERSION: 1,
  PACKAGE: 2,
  PACKAGE_URI: 3,
  INSTALL: 4,
  UNINSTALL: 6,
  STATE: 7,
  RESULT: 9,
  ACTIVATE: 10,
  DEACTIVATE: 11,
  ACTIVATION: 12,
} as const;

/** /9/x/7 Update State */
export const SW_STATE_NAMES: Readonly<Record<number, string>> = { 0: 'initial', 1: 'download started', 2: 'downloaded', 3: 'delivered', 4: 'installed' };

/** /9/x/9 Update Result: 0..3 progress and success, 50.. failures */
export const SW_RESULT_MEANINGS: Readonly<Record<number, string>> = {
  0: 'initial value',
  1: 'downloading',
  2: 'software successfully installed',
  3: 'successfully downloaded and verified',
  50: 'not enough storage for the new software package',
  51: 'out of memory during download',
  52: 'connection lost during download',
  53: 'package integrity check failure',
  54: 'unsupported package type',
  56: 'invalid URI',
  57: 'device defined update error',
  58: 'software installation failure',
  59: 'uninstallation failure',
};

export function swResultMeaning(n: number): string {
  return SW_RESULT_MEANINGS[n] ?? `update result ${n}`;
}
