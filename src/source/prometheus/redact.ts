/** Replaces every occurrence of each secret (and of URL userinfo) with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is removed whole.
  for (const s of [...secrets].filter((x) => x.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join('[REDACTED]');
  }
  return out.replace(/(\bhttps?:\/\/)[^/\s@]+@/gi, '$1[REDACTED]@');
}

/** A URL fit for messages: no userinfo, no query string (which may carry tokens). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return redact(url, []);
  }
}
