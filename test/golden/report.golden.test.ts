import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderReport, type ReportFormat } from '../../src/report/writeReport.js';
import { buildReportModel } from '../../src/report/buildReportModel.js';
import type { ReportModel } from '../../src/report/ReportModel.js';
import { Store } from '../../src/store/Store.js';
import { expectGolden } from '../support/golden.js';
import { useTempDir } from '../support/tempDir.js';
import { goldenModel, goldenStore, NOW, TZ } from './fixture.js';

/**
 * Golden files for every text format, from the synthetic fleet with a frozen
 * clock and zone. After an intended change, regenerate and review the diff:
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/golden
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), 'report');
const golden = (name: string, actual: string) => expectGolden(join(DIR, name), actual);

describe('report golden files (synthetic fleet, frozen clock, Europe/Berlin)', () => {
  const tempDir = useTempDir();
  let model: ReportModel;
  let empty: ReportModel;

  beforeAll(async () => {
    const dir = tempDir();
    model = await goldenModel(await goldenStore(dir));
    const store = await Store.open(join(dir, 'empty.duckdb'));
    empty = await buildReportModel(store, { nowMs: NOW, timeZone: TZ });
    store.close();
  });

  for (const format of ['md', 'html', 'json', 'csv'] as ReportFormat[]) {
    it(`headroom.${format}`, () => golden(`headroom.${format}`, renderReport(model, format)));
  }

  it('an empty database', () => {
    golden('empty.md', renderReport(empty, 'md'));
    golden('empty.html', renderReport(empty, 'html'));
    golden('empty.json', renderReport(empty, 'json'));
  });

  it('the same store gives byte-identical output on a second build', async () => {
    const again = await goldenModel(await goldenStore(tempDir()));
    for (const f of ['md', 'html', 'json', 'csv'] as ReportFormat[]) expect(renderReport(again, f)).toBe(renderReport(model, f));
  });
});
