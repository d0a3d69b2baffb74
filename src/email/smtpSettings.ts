import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** Where and how to send mail, read from the environment (never from flags, so secrets stay out of `ps`). */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (smtps, port 465). */
  readonly secure: boolean;
  /** Insist on STARTTLS before authenticating or sending (default on). */
  readonly startTls: boolean;
  /** Verify the server certificate (default on). */
  readonly verifyTls: boolean;
  readonly user: string | null;
  readonly pass: string | null;
  readonly from: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The variables `smtpSettingsFromEnv` reads; listed in error messages and the README. */
export const SMTP_ENV = [
  'CAPPLAN_SMTP_URL',
  'CAPPLAN_SMTP_HOST',
  'CAPPLAN_SMTP_PORT',
  'CAPPLAN_SMTP_USER',
  'CAPPLAN_SMTP_PASS',
  'CAPPLAN_SMTP_PASS_FILE',
  'CAPPLAN_SMTP_FROM',
  'CAPPLAN_SMTP_STARTTLS',
  'CAPPLAN_SMTP_TLS_VERIFY',
] as const;

/**
 * Reads SMTP settings: either `CAPPLAN_SMTP_URL` (`smtp://user:pass@host:587`,
 * `smtps://…` for implicit TLS) or `CAPPLAN_SMTP_HOST` with `_PORT` (587),
 * `_USER`, `_PASS` or `_PASS_FILE`; separate variables override the URL's parts.
 * `CAPPLAN_SMTP_FROM` is the sender (else the SMTP user, when it is a full
 * address; else an error: no sender is made up from the host). STARTTLS is required unless
 * `CAPPLAN_SMTP_STARTTLS=off`; certificates are verified unless `CAPPLAN_SMTP_TLS_VERIFY=off`.
 */
export function smtpSettingsFromEnv(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): SmtpSettings {
  const get = (k: (typeof SMTP_ENV)[number]) => {
    const v = env[k]?.trim();
    return v ? v : undefined;
  };
  let host = get('CAPPLAN_SMTP_HOST');
  let port: number | undefined;
  let secure = false;
  let user = get('CAPPLAN_SMTP_USER') ?? null;
  let pass = get('CAPPLAN_SMTP_PASS') ?? null;
  const url = get('CAPPLAN_SMTP_URL');
  if (url) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new UsageError('CAPPLAN_SMTP_URL: expected smtp://[user:pass@]host[:port] or smtps://…');
    }
    if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new UsageError(`CAPPLAN_SMTP_URL: scheme must be smtp or smtps, not ${u.protocol.replace(':', '')}`);
    secure = u.protocol === 'smtps:';
    host ??= u.hostname.replace(/^\[|\]$/g, '');
    if (u.port) port = Number(u.port);
    user ??= u.username ? decodeURIComponent(u.username) : null;
    pass ??= u.password ? decodeURIComponent(u.password) : null;
  }
  if (!host) throw new UsageError('email: no SMTP server configured; set CAPPLAN_SMTP_URL, or CAPPLAN_SMTP_HOST (with CAPPLAN_SMTP_PORT, CAPPLAN_SMTP_USER, CAPPLAN_SMTP_PASS or CAPPLAN_SMTP_PASS_FILE)');
  const portText = get('CAPPLAN_SMTP_PORT');
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`CAPPLAN_SMTP_PORT: expected a port number, got '${portText}'`);
  }
  port ??= secure ? 465 : 587;
  if (port === 465 && !url) secure = true;
  const passFile = get('CAPPLAN_SMTP_PASS_FILE');
  if (passFile && pass === null) {
    try {
      pass = readFile(passFile).replace(/\r?\n$/, '');
    } catch (err) {
      throw new UsageError(`CAPPLAN_SMTP_PASS_FILE: cannot read ${passFile} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (pass !== null && user === null) throw new UsageError('email: a password is set but no user; set CAPPLAN_SMTP_USER');
  return {
    host,
    port,
    secure,
    startTls: !isOff(get('CAPPLAN_SMTP_STARTTLS')),
    verifyTls: !isOff(get('CAPPLAN_SMTP_TLS_VERIFY')),
    user,
    pass,
    from: senderFrom(get('CAPPLAN_SMTP_FROM'), user),
  };
}

const ADDRESS = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

/**
 * The sender: `CAPPLAN_SMTP_FROM`, else the SMTP user when it is a full
 * address (`capplan@example.com`). Anything derived from the server's name
 * (`capplan@127.0.0.1`, `capplan@relay`) would be refused or spam-filtered by
 * the recipients' servers, so without either capplan asks for one.
 */
function senderFrom(from: string | undefined, user: string | null): string {
  if (from !== undefined) return from;
  if (user !== null && ADDRESS.test(user)) return `capplan <${user}>`;
  throw new UsageError(
    `email: no sender address; set CAPPLAN_SMTP_FROM, e.g. 'capplan <capplan@example.com>' (none is made up from the SMTP server's name: mail servers reject senders such as capplan@127.0.0.1)`,
  );
}

function isOff(v: string | undefined): boolean {
  return v !== undefined && ['off', 'false', '0', 'no'].includes(v.toLowerCase());
}

/** `smtp://user@host:587 (STARTTLS)`: for messages; never shows the password. */
export function describeSmtp(s: SmtpSettings): string {
  const who = s.user ? `${encodeURIComponent(s.user)}@` : '';
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return `${s.secure ? 'smtps' : 'smtp'}://${who}${host}:${s.port}${s.secure ? '' : s.startTls ? ' (STARTTLS)' : ' (no TLS)'}`;
}
