/** Human-readable quantities: bytes in binary units, rates and counts with SI prefixes. */

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** Formats `value` in `unit` for people: 1.5e12 bytes → "1.36 TiB", 0.42 ratio → "42.0%". */
export function formatQuantity(value: number | null, unit: string | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 'bytes':
      return scaled(value, 1024, BINARY, '');
    case 'ratio':
    case 'percent_ratio':
      return `${(value * 100).toFixed(1)}%`;
    case 'percent':
      return `${value.toFixed(1)}%`;
    case 'cores':
      return `${trim(value)} cores`;
    case 'requests_per_second':
      return `${scaled(value, 1000, SI, '')} req/s`;
    case 'connections':
      return `${scaled(value, 1000, SI, '')} conns`;
    case null:
    case '':
      return scaled(value, 1000, SI, '');
    default:
      return `${scaled(value, 1000, SI, '')} ${unit}`;
  }
}

function scaled(value: number, base: number, units: readonly string[], sep: string): string {
  let v = Math.abs(value);
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  const sign = value < 0 ? '-' : '';
  const u = units[i];
  return u ? `${sign}${trim(v)}${sep || ' '}${u}` : `${sign}${trim(v)}`;
}

function trim(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

/** "42%" style for a fraction. */
export function formatPercent(fraction: number | null, digits = 0): string {
  if (fraction === null || !Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A divisor and unit label for a chart axis whose values reach `max`: bytes up to 3e12 → 2^40, "TiB". */
export function axisScale(max: number, unit: string | null): { divisor: number; label: string } {
  const pick = (base: number, names: readonly string[], suffix: string) => {
    let i = 0;
    let v = Math.abs(max);
    while (v >= base && i < names.length - 1) {
      v /= base;
      i++;
    }
    return { divisor: base ** i, label: `${names[i]}${suffix}`.trim() };
  };
  switch (unit) {
    case 'bytes':
      return pick(1024, BINARY, '');
    case 'ratio':
    case 'percent_ratio':
      return { divisor: 0.01, label: '%' };
    case 'percent':
      return { divisor: 1, label: '%' };
    case 'cores':
      return { divisor: 1, label: 'cores' };
    case 'requests_per_second':
      return pick(1000, SI, ' req/s');
    case 'connections':
      return pick(1000, SI, ' conns');
    case null:
    case '':
      return pick(1000, SI, '');
    default:
      return pick(1000, SI, ` ${unit}`);
  }
}
