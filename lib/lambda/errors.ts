// What may be said about an error in a log line: its kind and message, never its stack or the
// request that caused it.
export interface ErrorSummary {
  name: string;
  message: string;
  httpStatusCode?: number;
}

export function summarizeError(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { name: 'NonError', message: String(error).slice(0, 200) };
  const summary: ErrorSummary = { name: error.name, message: error.message.slice(0, 500) };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (typeof status === 'number') summary.httpStatusCode = status;
  return summary;
}

/** The error to hand to the Lambda runtime, which would otherwise log its stack trace. */
export function withoutStack(error: unknown): Error {
  const { name, message } = summarizeError(error);
  const clean = new Error(message);
  clean.name = name;
  clean.stack = `${name}: ${message}`;
  return clean;
}
