import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayName } from '../../src/store/displayName.js';
import { listParam } from '../../src/store/sqlValues.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

const CASES: [Record<string, string>, string][] = [
  // fstype and device describe a filesystem, they do not tell it apart; cluster goes in its own column.
  [{ cluster: 'eu-west', fstype: 'ext4', device: '/dev/sda1', instance: 'web-2', mountpoint: '/data' }, 'web-2 /data'],
  [{ cluster: 'eu-west', host: 'db-01', mountpoint: '/var/log' }, 'db-01 /var/log'],
  [{ service: 'checkout' }, 'checkout'],
  // Only context labels: they are all there is to tell it apart.
  [{ cluster: 'us-east', fstype: 'xfs' }, 'us-east'],
  [{}, 'fallback name'],
  [{ host: 'a\nb' }, 'a b'],
];

describe('display names: one rule for the report and the views', () => {
  const tempDir = useTempDir();

  it('TypeScript and the SQL macro display_name agree, leaving out descriptive labels such as fstype', async () => {
    const store = await Store.open(join(tempDir(), 'n.duckdb'));
    try {
      for (const [labels, expected] of CASES) {
        expect(displayName(labels, 'fallback name')).toBe(expected);
        const keys = Object.keys(labels);
        const reader = await store.connection.runAndReadAll(`SELECT display_name(map($1::VARCHAR[], $2::VARCHAR[]), 'fallback name')`, [
          listParam(keys),
          listParam(keys.map((k) => labels[k])),
        ]);
        expect(reader.getRowsJS()[0][0], JSON.stringify(labels)).toBe(expected);
      }
    } finally {
      store.close();
    }
  });
});
