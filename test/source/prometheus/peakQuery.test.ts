import { describe, expect, it } from 'vitest';
import { formatAggregate, groupQuery, isPlainSelector, parseAggregate, peakQuery, type Aggregate } from '../../../src/source/prometheus/peakQuery.js';

const H = 3_600_000;
const max: Aggregate = { kind: 'max' };

describe('peakQuery', () => {
  it.each([
    ['node_filesystem_avail_bytes', 'max_over_time(node_filesystem_avail_bytes[1h])'],
    ['  node_filesystem_avail_bytes{mountpoint="/data", fstype!~"tmpfs|overlay"} ', 'max_over_time(node_filesystem_avail_bytes{mountpoint="/data", fstype!~"tmpfs|overlay"}[1h])'],
    ['{__name__="disk_used", job="node"}', 'max_over_time({__name__="disk_used", job="node"}[1h])'],
    ['disk{path="/a}b", x=\'y\\\'}\'}', 'max_over_time(disk{path="/a}b", x=\'y\\\'}\'}[1h])'],
    ['sum by (instance) (disk_used)', 'max_over_time((sum by (instance) (disk_used))[1h:])'],
    ['disk_used / disk_size', 'max_over_time((disk_used / disk_size)[1h:])'],
    ['rate(http_requests_total[5m])', 'max_over_time((rate(http_requests_total[5m]))[1h:])'],
    ['disk_used[5m]', 'max_over_time((disk_used[5m])[1h:])'],
    ['disk_used offset 1d', 'max_over_time((disk_used offset 1d)[1h:])'],
    ['disk{a="b"} > 0', 'max_over_time((disk{a="b"} > 0)[1h:])'],
  ])('max of %j', (expr, expected) => {
    expect(peakQuery(expr, max, H)).toBe(expected);
  });

  it('writes min, avg and quantiles, and leaves last unchanged', () => {
    expect(peakQuery('mem_free', { kind: 'min' }, 5 * 60_000)).toBe('min_over_time(mem_free[5m])');
    expect(peakQuery('mem_free', { kind: 'avg' }, 86_400_000)).toBe('avg_over_time(mem_free[1d])');
    expect(peakQuery('cpu', { kind: 'quantile', q: 0.95 }, H)).toBe('quantile_over_time(0.95, cpu[1h])');
    expect(peakQuery('sum(cpu)', { kind: 'quantile', q: 0.99 }, 90 * 60_000)).toBe('quantile_over_time(0.99, (sum(cpu))[90m:])');
    expect(peakQuery(' sum(cpu) ', { kind: 'last' }, H)).toBe('sum(cpu)');
  });

  it('groups inside the peak, so the peak is of the total', () => {
    const q = peakQuery(groupQuery('disk_used', ['cluster', 'tier']), max, H);
    expect(q).toBe('max_over_time((sum by (cluster, tier) (disk_used))[1h:])');
    expect(groupQuery(' disk_used ', [])).toBe('disk_used');
  });

  it('recognises only bare selectors', () => {
    expect(isPlainSelector('up')).toBe(true);
    expect(isPlainSelector('up {job="a"}')).toBe(true);
    expect(isPlainSelector('{job="a"}')).toBe(true);
    expect(isPlainSelector('up{job="a"')).toBe(false);
    expect(isPlainSelector('42')).toBe(false);
    expect(isPlainSelector('sum(up)')).toBe(false);
    expect(isPlainSelector('up @ 1700000000')).toBe(false);
    expect(isPlainSelector('')).toBe(false);
  });

  it('parses the aggregate spellings a plan may use', () => {
    expect(parseAggregate('max')).toEqual({ kind: 'max' });
    expect(parseAggregate('none')).toEqual({ kind: 'last' });
    expect(parseAggregate('p95')).toEqual({ kind: 'quantile', q: 0.95 });
    expect(parseAggregate('p99.9')).toEqual({ kind: 'quantile', q: 0.999 });
    expect(parseAggregate('quantile:0.9')).toEqual({ kind: 'quantile', q: 0.9 });
    expect(parseAggregate(0.5)).toEqual({ kind: 'quantile', q: 0.5 });
    for (const bad of ['peak', 'p0', 'p100', 'quantile:1.5', 1, 0, -0.2]) expect(parseAggregate(bad)).toBeNull();
    expect(formatAggregate({ kind: 'quantile', q: 0.95 })).toBe('quantile:0.95');
  });
});
