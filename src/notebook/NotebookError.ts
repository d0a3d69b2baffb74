import { CapplanError, ExitCode } from '../errors.js';

/** A notebook that cannot be read or run, or whose outputs rotted; names the file and, when it is about one, the cell (1-based, counting every cell). */
export class NotebookError extends CapplanError {
  constructor(
    readonly file: string,
    readonly cell: number | null,
    detail: string,
  ) {
    super(`${file}${cell === null ? '' : `, cell ${cell}`}: ${detail}`, ExitCode.failure);
  }
}
