/**
 * Errors of the REST API as RFC 9457 problem details (application/problem+json), from
 * one catalog of stable codes. Every problem body is
 * `{ type, title, status, code, detail?, instance?, ...extra }`; `type` is
 * `urn:lwm2m-gateway:problem:<code>` so clients can branch on either `type` or `code`.
 */
import type { Response } from 'express';
import type { OperationResult } from '../../lwm2m/server/types.js';

export const PROBLEMS = {
  BAD_PATH: { status: 400, title: 'The path is not an LwM2M path (/object[/instance[/resource[/resource-instance]]])' },
  BAD_PATH_ENCODING: { status: 400, title: 'A segment of the URL path is not valid percent-encoded UTF-8' },
  BAD_JSON: { status: 400, title: 'The request body is not valid JSON' },
  BAD_BODY: { status: 400, title: 'The request body does not have the expected shape' },
  BAD_VALUE: { status: 400, title: 'A value does not fit the resource type' },
  BAD_QUERY: { status: 400, title: 'A query parameter is invalid' },
  BAD_REQUEST: { status: 400, title: 'The request cannot be sent to the device' },
  BAD_CREDENTIALS: { status: 400, title: 'The credentials are not valid (mode, hex, lengths, endpoint name)' },
  BAD_BOOTSTRAP_CONFIG: { status: 400, title: 'The bootstrap config is not valid (see problems: field and message)' },
  UNAUTHORIZED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'The token does not allow this request (read-only scope)' },
  DEVICE_NOT_FOUND: { status: 404, title: 'No device is registered with this endpoint name' },
  REQUEST_NOT_FOUND: { status: 404, title: 'No such queued request (unknown, or finished and forgotten)' },
  OBSERVATION_NOT_FOUND: { status: 404, title: 'No such observation' },
  CREDENTIALS_NOT_FOUND: { status: 404, title: 'No credentials are stored for this endpoint' },
  TRACE_NOT_FOUND: { status: 404, title: 'No message trace runs for this endpoint' },
  BOOTSTRAP_CONFIG_NOT_FOUND: { status: 404, title: 'No bootstrap config is stored for this endpoint' },
  BOOTSTRAP_OFF: { status: 404, title: 'The gateway runs no Bootstrap Server' },
  NOT_FOUND: { status: 404, title: 'No such API route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'This method is not allowed on this route' },
  CREDENTIALS_CONFLICT: { status: 409, title: 'The identity already belongs to another endpoint' },
  TRACE_NOT_SUPPORTED: { status: 409, title: "The device's binding cannot trace its messages" },
  TOO_MANY_TRACES: { status: 503, title: 'Too many devices are traced at once' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  // the device answered with an error code
  DEVICE_BAD_REQUEST: { status: 400, title: 'The device answered 4.00 Bad Request' },
  DEVICE_UNAUTHORIZED: { status: 403, title: 'The device answered 4.01 Unauthorized (its access control denies the gateway)' },
  DEVICE_FORBIDDEN: { status: 403, title: 'The device answered 4.03 Forbidden' },
  DEVICE_PATH_NOT_FOUND: { status: 404, title: 'The device answered 4.04 Not Found' },
  DEVICE_METHOD_NOT_ALLOWED: { status: 405, title: 'The device answered 4.05 Method Not Allowed (operation not allowed on this path)' },
  DEVICE_NOT_ACCEPTABLE: { status: 406, title: 'The device answered 4.06 Not Acceptable (content format not supported)' },
  DEVICE_PRECONDITION_FAILED: { status: 412, title: 'The device answered 4.12 Precondition Failed' },
  DEVICE_ENTITY_TOO_LARGE: { status: 413, title: 'The device answered 4.13 Request Entity Too Large' },
  DEVICE_UNSUPPORTED_FORMAT: { status: 415, title: 'The device answered 4.15 Unsupported Content-Format' },
  DEVICE_ERROR: { status: 502, title: 'The device answered with an error' },
  // no usable answer from the device
  BAD_DEVICE_RESPONSE: { status: 502, title: 'The device answered with a payload that does not decode' },
  TRANSPORT_ERROR: { status: 502, title: 'The request could not reach the device (reset, unreachable, too large)' },
  OPERATION_NOT_SUPPORTED: { status: 405, title: "The device's binding does not carry this operation (Observe over HTTP)" },
  DEVICE_TIMEOUT: { status: 504, title: 'The device did not answer in time' },
  QUEUE_EXPIRED: { status: 504, title: 'The sleeping device did not wake up in time' },
  QUEUE_FULL: { status: 503, title: 'Too many requests already wait for this sleeping device' },
  REQUEST_CANCELLED: { status: 503, title: 'The registration ended or the gateway stopped while the request waited' },
  // firmware updates and campaigns (routes-firmware.ts, routes-campaigns.ts)
  FIRMWARE_OFF: { status: 404, title: 'Firmware updates are off (firmware.enabled)' },
  IMAGE_NOT_FOUND: { status: 404, title: 'No such firmware or software image' },
  CAMPAIGN_NOT_FOUND: { status: 404, title: 'No such campaign' },
  DOWNLOAD_NOT_FOUND: { status: 404, title: 'No download is open under this token' },
  FIRMWARE_CONFLICT: { status: 409, title: 'Not now: an update or campaign is in a state that does not allow it' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'The range lies outside the image' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export const PROBLEM_TYPE_PREFIX = 'urn:lwm2m-gateway:problem:';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  [extra: string]: unknown;
}

/** Thrown inside route handlers; the error middleware writes it as problem+json. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? PROBLEMS[code].title);
    this.name = 'ProblemError';
    this.status = PROBLEMS[code].status;
  }

  get detail(): string {
    return this.message;
  }

  body(): ProblemBody {
    return problemBody(this.code, this.message, this.extra);
  }
}

export function problemBody(code: ProblemCode, detail?: string, extra: Record<string, unknown> = {}): ProblemBody {
  const p = PROBLEMS[code];
  const body: ProblemBody = { type: PROBLEM_TYPE_PREFIX + code, title: p.title, status: p.status, code };
  if (detail !== undefined && detail !== p.title) body.detail = detail;
  return { ...body, ...extra };
}

export function sendProblem(res: Response, code: ProblemCode, detail?: string, extra?: Record<string, unknown>): void {
  const body = problemBody(code, detail, extra);
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/** The problem code for a device's CoAP error answer ("4.04" -> DEVICE_PATH_NOT_FOUND). */
export function deviceCodeProblem(coapCode: string): ProblemCode {
  switch (coapCode) {
    case '4.00':
      return 'DEVICE_BAD_REQUEST';
    case '4.01':
      return 'DEVICE_UNAUTHORIZED';
    case '4.03':
      return 'DEVICE_FORBIDDEN';
    case '4.04':
      return 'DEVICE_PATH_NOT_FOUND';
    case '4.05':
      return 'DEVICE_METHOD_NOT_ALLOWED';
    case '4.06':
      return 'DEVICE_NOT_ACCEPTABLE';
    case '4.12':
      return 'DEVICE_PRECONDITION_FAILED';
    case '4.13':
      return 'DEVICE_ENTITY_TOO_LARGE';
    case '4.15':
      return 'DEVICE_UNSUPPORTED_FORMAT';
    default:
      return 'DEVICE_ERROR';
  }
}

/** The problem for a failed OperationResult (success false). */
export function resultProblem(r: OperationResult): ProblemError {
  const extra: Record<string, unknown> = {};
  if (r.code !== undefined) extra.deviceCode = r.code;
  if (r.error) {
    extra.errorCode = r.error.code;
    switch (r.error.code) {
      case 'NOT_REGISTERED':
        return new ProblemError('DEVICE_NOT_FOUND', r.error.message, extra);
      case 'BAD_REQUEST':
        return new ProblemError('BAD_REQUEST', r.error.message, extra);
      case 'TIMEOUT':
        return new ProblemError('DEVICE_TIMEOUT', r.error.message, extra);
      case 'QUEUE_EXPIRED':
        return new ProblemError('QUEUE_EXPIRED', r.error.message, extra);
      case 'QUEUE_FULL':
        return new ProblemError('QUEUE_FULL', r.error.message, extra);
      case 'CANCELLED':
        return new ProblemError('REQUEST_CANCELLED', r.error.message, extra);
      case 'TRANSPORT':
        return new ProblemError('TRANSPORT_ERROR', r.error.message, extra);
      case 'NOT_SUPPORTED':
        return new ProblemError('OPERATION_NOT_SUPPORTED', r.error.message, extra);
      case 'BAD_RESPONSE':
        return new ProblemError('BAD_DEVICE_RESPONSE', r.error.message, extra);
    }
  }
  if (r.code !== undefined) return new ProblemError(deviceCodeProblem(r.code), `the device answered ${r.code}`, extra);
  return new ProblemError('DEVICE_ERROR', 'the request failed', extra);
}
