/**
 * The oneM2M response status codes this CSE answers with (TS-0004 clause 6.6.3) and the
 * HTTP status each maps to (TS-0009 clause 6.6). A failure is a CseError: a stable code
 * and a short message for the `m2m:dbg` body; nothing internal goes on the wire.
 */

export const RSC = {
  OK: 2000,
  CREATED: 2001,
  DELETED: 2002,
  UPDATED: 2004,
  BAD_REQUEST: 4000,
  RELEASE_VERSION_NOT_SUPPORTED: 4001,
  NOT_FOUND: 4004,
  OPERATION_NOT_ALLOWED: 4005,
  UNSUPPORTED_MEDIA_TYPE: 4015,
  SUBSCRIPTION_CREATOR_HAS_NO_PRIVILEGE: 4101,
  CONTENTS_UNACCEPTABLE: 4102,
  ORIGINATOR_HAS_NO_PRIVILEGE: 4103,
  CONFLICT: 4105,
  INVALID_CHILD_RESOURCE_TYPE: 4108,
  ORIGINATOR_HAS_ALREADY_REGISTERED: 4117,
  INTERNAL_SERVER_ERROR: 5000,
  NOT_IMPLEMENTED: 5001,
  SUBSCRIPTION_VERIFICATION_INITIATION_FAILED: 5204,
  NOT_ACCEPTABLE: 5207,
} as const;

export type Rsc = (typeof RSC)[keyof typeof RSC];

const HTTP_STATUS: Readonly<Record<Rsc, number>> = {
  2000: 200,
  2001: 201,
  2002: 200,
  2004: 200,
  4000: 400,
  4001: 400,
  4004: 404,
  4005: 405,
  4015: 415,
  4101: 403,
  4102: 400,
  4103: 403,
  4105: 409,
  4108: 403,
  4117: 403,
  5000: 500,
  5001: 501,
  5204: 500,
  5207: 406,
};

/** The HTTP status line code for a oneM2M response status code. */
export function httpStatusOf(rsc: Rsc): number {
  return HTTP_STATUS[rsc];
}

/** A request the CSE refuses: the status code and a short reason (no internal detail). */
export class CseError extends Error {
  constructor(
    readonly rsc: Rsc,
    message: string,
  ) {
    super(message);
    this.name = 'CseError';
  }
}
