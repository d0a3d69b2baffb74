/**
 * Side effects a command may use, passed in so tests can run commands in-process
 * with a frozen clock and captured output instead of spawning and monkey-patching.
 */
export interface CliContext {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Current time in ms UTC; frozen in tests. */
  now(): number;
  readonly cwd: string;
  /** Commands that end with a non-zero but non-error status (e.g. risk found) set it here. */
  setExitCode(code: number): void;
}

export interface OutputStream {
  write(text: string): void;
  /** Resolves once the stream has room again (a slow reader such as `less`); absent on captured output. */
  ready?(): Promise<void>;
  /** True once the reader has gone (`| head -1` closed the pipe): writes are dropped from then on. */
  readonly closed?: boolean;
  readonly isTTY: boolean;
  readonly columns?: number;
}

/** The context of a real process. */
export function processContext(): CliContext & { exitCode: number } {
  const ctx = {
    exitCode: 0,
    stdout: wrap(process.stdout),
    stderr: wrap(process.stderr),
    env: process.env,
    now: () => Date.now(),
    cwd: process.cwd(),
    setExitCode(code: number) {
      ctx.exitCode = code;
    },
  };
  return ctx;
}

function wrap(stream: NodeJS.WriteStream): OutputStream {
  // A reader that stops early (`capplan sql … | head -1`) closes the pipe: that is the reader's choice, not an
  // error. The command still finishes its work without output, so a run that was storing forecasts completes and
  // the database is closed (checkpointed) rather than abandoned mid-run; `sql` stops reading rows (see `closed`).
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      closed = true;
      return;
    }
    throw err;
  });
  return {
    write: (text: string) => {
      if (!closed) stream.write(text);
    },
    ready: () =>
      closed || !stream.writableNeedDrain
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => {
              stream.off('drain', done);
              stream.off('close', done);
              resolve();
            };
            stream.once('drain', done);
            stream.once('close', done);
          }),
    get closed() {
      return closed;
    },
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns;
    },
  };
}
