/**
 * On SIGINT or SIGTERM: runs `cleanup` (given at most 3 s: a wedged cleanup
 * must not keep a stopped cron job alive), then ends the process with the
 * shell's code for the signal (130 for SIGINT, 143 for SIGTERM). A second
 * signal during cleanup ends it at once, as the default handler would.
 * Returns a function that removes the handlers.
 */
export function onInterrupt(cleanup: (signal: NodeJS.Signals, exitCode: number) => Promise<void>): () => void {
  const listener = (signal: NodeJS.Signals) => {
    remove();
    const exitCode = signal === 'SIGINT' ? 130 : 143;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
    void Promise.race([cleanup(signal, exitCode).catch(() => undefined), timeout]).finally(() => process.exit(exitCode));
  };
  const remove = () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return remove;
}
