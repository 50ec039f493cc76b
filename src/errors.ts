/**
 * The error catalog: every error cityops answers with, under a stable code.
 * Clients switch on `code`, never on the message. A retired code is never reused.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request does not match the expected schema.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  JSON_TOO_DEEP: { status: 400, message: 'The JSON body nests objects and arrays too deeply.' },
  BAD_URL: { status: 400, message: 'The URL is not valid (bad percent-encoding).' },
  URL_TOO_LONG: { status: 414, message: 'The URL, or a part of its path, is too long.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request line and headers are larger than allowed.' },
  MALFORMED_REQUEST: { status: 400, message: 'The request is not valid HTTP.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request content type is not supported.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than the configured limit.' },
  NOT_FOUND: { status: 404, message: 'No such resource.' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The method is not allowed on this route.' },
  JURISDICTION_NOT_FOUND: { status: 404, message: 'No jurisdiction has this code.' },
  OUTSIDE_JURISDICTION: { status: 404, message: 'The point lies outside every jurisdiction cityops knows.' },
  JURISDICTION_CONFLICT: { status: 409, message: 'A jurisdiction with this code already exists.' },
  INVALID_JURISDICTION: { status: 422, message: 'The jurisdiction definition is not valid.' },
  INVALID_GEOMETRY: { status: 422, message: 'The geometry is not a valid polygon or multipolygon.' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in, or send a valid API key.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The username or password is wrong.' },
  INVALID_REFRESH_TOKEN: {
    status: 401,
    message: 'The refresh token is invalid, expired or revoked; sign in again.',
  },
  ACCOUNT_LOCKED: {
    status: 423,
    message: 'Too many wrong passwords: this account is locked; wait, or ask an administrator to unlock it.',
  },
  WEAK_PASSWORD: {
    status: 422,
    message: 'The password is too short, or a published demo or default password.',
  },
  FORBIDDEN: { status: 403, message: 'Your role may not do this.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry after the time in Retry-After.' },
  USER_CONFLICT: { status: 409, message: 'The username is taken.' },
  USER_NOT_FOUND: { status: 404, message: 'No such user.' },
  KEY_NOT_FOUND: { status: 404, message: 'No such API key.' },
  INVALID_USER: { status: 422, message: 'The user definition is not valid.' },
  SENSOR_NOT_FOUND: { status: 404, message: 'No sensor has this id.' },
  SENSOR_CONFLICT: { status: 409, message: 'A sensor with this id already exists.' },
  UNKNOWN_SENSOR_TYPE: { status: 422, message: 'The sensor type is not in the catalog.' },
  INVALID_SENSOR: { status: 422, message: 'The sensor definition is not valid.' },
  INVALID_IMPORT_FILE: { status: 422, message: 'The import file cannot be read as sensors.' },
  INVALID_READING: { status: 422, message: 'The reading is not {"sensor", "ts", "value"}.' },
  UNKNOWN_SENSOR: { status: 422, message: 'No such sensor is registered in your jurisdiction.' },
  INVALID_VALUE: { status: 422, message: 'The value must be a finite number.' },
  INVALID_TIMESTAMP: {
    status: 422,
    message: 'The timestamp must be epoch milliseconds or ISO-8601 with a zone.',
  },
  TIMESTAMP_OUT_OF_RANGE: { status: 422, message: 'The timestamp is too far in the future or the past.' },
  ALARM_NOT_FOUND: { status: 404, message: 'No alarm has this id.' },
  ALARM_STATE_CONFLICT: {
    status: 409,
    message: 'The alarm is not in a state that allows this (already acknowledged or cleared).',
  },
  RULE_NOT_FOUND: { status: 404, message: 'No alarm rule has this id.' },
  RULE_CONFLICT: { status: 409, message: 'An alarm rule with this id already exists.' },
  INVALID_RULE: { status: 422, message: 'The alarm rule is not valid; see details for each problem.' },
  WINDOW_NOT_FOUND: { status: 404, message: 'No maintenance window has this id.' },
  WINDOW_CONFLICT: { status: 409, message: 'A maintenance window with this id already exists.' },
  INVALID_WINDOW: { status: 422, message: 'The maintenance window is not valid.' },
  CASE_NOT_FOUND: { status: 404, message: 'No case has this id.' },
  CASE_ACTION_NOT_ALLOWED: {
    status: 409,
    message: 'This action is not allowed on the case in its current status, or not for you.',
  },
  CASE_CONFLICT: { status: 409, message: 'The case changed meanwhile; read it again and retry.' },
  UNKNOWN_CASE_CATEGORY: { status: 422, message: 'The category is not in the case catalog.' },
  INVALID_CASE: { status: 422, message: 'The case or report is not valid.' },
  INVALID_CASE_TRANSITION: { status: 422, message: 'The transition is missing a required field.' },
  UNKNOWN_DEPARTMENT: { status: 422, message: 'No such department type, or it does not exist at that unit.' },
  INVALID_CURSOR: { status: 400, message: 'The cursor is not one this list returned.' },
  CAMERA_NOT_FOUND: { status: 404, message: 'No camera has this id.' },
  CAMERA_CONFLICT: { status: 409, message: 'A camera with this id already exists.' },
  INVALID_CAMERA: { status: 422, message: 'The camera definition is not valid.' },
  INVALID_DETECTION: {
    status: 422,
    message: 'The detection is not {"camera", "class", "confidence", "ts", "snapshotUrl"?, "bbox"?}.',
  },
  UNKNOWN_CAMERA: { status: 422, message: 'No such camera is registered in your jurisdiction.' },
  UNKNOWN_DETECTION_CLASS: { status: 422, message: 'The detection class is not one cityops recognises.' },
  INVALID_HOTLINE_RECORD: { status: 422, message: 'The hotline record is not valid.' },
  DUPLICATE_HOTLINE_RECORD: {
    status: 409,
    message: 'A hotline record with this number was imported before.',
  },
  INVALID_SCENARIO: {
    status: 422,
    message: 'The simulator scenario is not valid; see details.problems for each field.',
  },
  SERVICE_UNAVAILABLE: { status: 503, message: 'A dependency of the service is unavailable.' },
  OVERLOADED: { status: 503, message: 'The server is at capacity; retry after the time in Retry-After.' },
  INTERNAL: { status: 500, message: 'An internal error occurred; it has been logged.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERRORS;

/** An error that maps to a catalog entry; thrown by services, answered by the HTTP layer. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Builds the JSON body for an error answer. */
export function errorBody(code: ErrorCode, message?: string, details?: unknown): ErrorBody {
  const error: ErrorBody['error'] = { code, message: message ?? ERRORS[code].message };
  if (details !== undefined) error.details = details;
  return { error };
}

/** A startup problem the operator can fix (bad port, unreachable database); printed without a stack trace. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
