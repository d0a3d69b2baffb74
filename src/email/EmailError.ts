import { CapplanError, ExitCode } from '../errors.js';

/** The report could not be emailed: the message names the server and what went wrong. */
export class EmailError extends CapplanError {
  constructor(
    message: string,
    /** nodemailer's error code (ECONNECTION, EAUTH, ETLS, EENVELOPE, …) when known. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, ExitCode.failure, options);
  }
}
