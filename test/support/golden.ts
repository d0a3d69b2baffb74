import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { expect } from 'vitest';

/**
 * The one switch that regenerates every committed expected output (golden
 * reports, reports/examples, notebook outputs, the schema-v1 fixture):
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/golden test/report/examples.test.ts …
 *
 * then review the diff before committing it.
 */
export const UPDATE_GOLDEN = Boolean(process.env.UPDATE_GOLDEN);

/**
 * Compares `actual` with the committed file at `path`, or writes it under
 * UPDATE_GOLDEN. `view` picks what is compared (default: the whole text), e.g.
 * a report's skeleton where numbers may change with the models.
 */
export function expectGolden(path: string, actual: string, view: (text: string) => unknown = (t) => t): void {
  const shown = relative(process.cwd(), path);
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${shown}: run UPDATE_GOLDEN=1 npx vitest run on this test`);
  expect(view(actual), `${shown} differs from its golden file (UPDATE_GOLDEN=1 to accept, then review the diff)`).toEqual(view(readFileSync(path, 'utf8')));
}
