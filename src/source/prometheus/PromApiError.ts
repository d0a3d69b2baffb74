import { SourceError } from '../../errors.js';

/**
 * A SourceError from a Prometheus-compatible API, keeping what callers branch
 * on: the API's `errorType` (bad_data, execution, timeout, …) or the transport
 * error code (ECONNREFUSED, timeout, …).
 */
export class PromApiError extends SourceError {
  constructor(
    message: string,
    status: number | undefined,
    serverMessage: string | undefined,
    readonly errorType?: string,
    readonly code?: string,
  ) {
    super(message, status, serverMessage);
  }
}
