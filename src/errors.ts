/**
 * The few error classes capplan raises on purpose. Each carries the exit code
 * the CLI ends with, so `cli/` can catch once at the top and cron can tell
 * failures apart by code alone.
 */

/** Documented process exit codes (see README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  riskFound: 3,
  /** The database is locked by another capplan run. */
  locked: 4,
  /** The source could not be reached or answered with an error. */
  source: 5,
  /** Input data (CSV, series) unusable: empty, too short, unparsable. */
  data: 6,
  /** The database file is not usable: not DuckDB, newer schema, corrupt. */
  store: 7,
  /** A forecast run did not account for every series it set out to forecast; it is recorded as failed. */
  incompleteRun: 8,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: a message fit to show a user as is, and an exit code. */
export class CapplanError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong command-line usage: unknown flag, missing argument, bad value. */
export class UsageError extends CapplanError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** A plan file (or inline config) that does not validate; `path` is the YAML path. */
export class PlanError extends CapplanError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail, ExitCode.usage);
  }
}

/** Input data that cannot be used: the message names the file/series and what is wrong. */
export class DataError extends CapplanError {
  constructor(message: string) {
    super(message, ExitCode.data);
  }
}

/** The database file cannot be used; nothing has been written to it. */
export class StoreError extends CapplanError {
  constructor(message: string, exitCode: ExitCode = ExitCode.store, options?: { cause?: unknown }) {
    super(message, exitCode, options);
  }
}

/** A forecast run's series do not add up (expected ≠ forecast + failed + skipped); the run is recorded as failed. */
export class IncompleteRunError extends CapplanError {
  constructor(
    readonly runId: number,
    message: string,
  ) {
    super(message, ExitCode.incompleteRun);
  }
}

/** A metrics source failed: carries the HTTP status and the server's own message. */
export class SourceError extends CapplanError {
  constructor(
    message: string,
    readonly status?: number,
    readonly serverMessage?: string,
    options?: { cause?: unknown },
  ) {
    super(message, ExitCode.source, options);
  }
}

/** A model cannot be fitted to this series; the reason is recorded and a fallback used. */
export class ModelError extends Error {
  constructor(
    readonly alias: string,
    message: string,
  ) {
    super(`${alias}: ${message}`);
    this.name = 'ModelError';
  }
}
