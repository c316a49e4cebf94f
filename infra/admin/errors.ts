// How the admin command line fails: one clear line on stderr and a non-zero exit.
import { type Endpoint, endpointOf } from './endpoints.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * An AWS or network error as one sentence an operator can act on. It names where the failed
 * request went (DynamoDB or DynamoDB Streams, `fallback` when the error does not say) and the
 * setting that sent it there.
 */
export function explainAwsError(error: unknown, fallback: Endpoint): string {
  const { name, message, code } = error as { name?: string; message?: string; code?: string };
  const endpoint = endpointOf(error) ?? fallback;
  const target = endpoint.where;
  if (name === 'ResourceNotFoundException') {
    return `a table does not exist at ${target} (${message ?? 'not found'}); check MESSAGES_TABLE, COUNTERS_TABLE, AUTH_TABLE and the region`;
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'ETIMEDOUT' ||
    name === 'TimeoutError' ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(message ?? '')
  ) {
    return `cannot reach ${endpoint.service} at ${target} (${code ?? name}); check ${endpoint.setting}`;
  }
  if (name === 'CredentialsProviderError') {
    return `no AWS credentials for ${target}: set a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  }
  if (
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException' ||
    name === 'ExpiredTokenException'
  ) {
    return `AWS did not accept the credentials for ${target} (${name})`;
  }
  if (name === 'AccessDeniedException') return `not allowed: ${message}`;
  return `${name ?? 'Error'}: ${message ?? String(error)}`;
}
