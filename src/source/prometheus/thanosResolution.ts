/**
 * The `max_source_resolution` to ask Thanos for at this step, mirroring the
 * rule Thanos' own `auto` applies (step/5) but sent explicitly, because the
 * server default differs between query_range and instant queries and between
 * versions: 1h blocks only pay off when each step spans ≥5 of them.
 */
export function chooseMaxSourceResolution(stepMs: number): '0' | '5m' | '1h' {
  if (stepMs >= 5 * 3_600_000) return '1h';
  if (stepMs >= 25 * 60_000) return '5m';
  return '0';
}

