// The ways a messages-sent request can fail, each with the exact text Rocket.Chat clients expect
// (docs/architecture.md, Errors). lib/lambda/http-responses.ts maps them to status codes in one table.

export type RequestErrorKind =
  | 'not-authenticated'
  | 'not-permitted'
  | 'invalid-params'
  | 'service-unavailable';

export class RequestError extends Error {
  constructor(
    readonly kind: RequestErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RequestError';
  }
}

/** `cause`, when given, is why access was refused, for the log; the answer never says it. */
export const notAuthenticated = (cause?: unknown) =>
  new RequestError('not-authenticated', 'You must be logged in to do this.', { cause });

export const notPermitted = (cause?: unknown) =>
  new RequestError(
    'not-permitted',
    'User does not have the permissions required for this action [error-unauthorized]',
    { cause },
  );

export const missingKey = (key: string) =>
  new RequestError('invalid-params', `Match error: Missing key '${key}'`);

export const failedValidation = (key: string) =>
  new RequestError('invalid-params', `Match error: Failed Match.Where validation in field ${key}`);

/** Our own checks beyond Rocket.Chat's, worded as a sentence and tagged the Rocket.Chat way. */
export const invalidParams = (sentence: string) =>
  new RequestError('invalid-params', `${sentence} [error-invalid-params]`);

export const serviceUnavailable = (cause: unknown) =>
  new RequestError(
    'service-unavailable',
    'The message counts cannot be read right now; try again shortly [error-service-unavailable]',
    { cause },
  );
