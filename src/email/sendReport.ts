import nodemailer, { type Transporter } from 'nodemailer';
import type { Attachment } from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { UsageError } from '../errors.js';
import type { ReportModel } from '../report/ReportModel.js';
import { EmailError } from './EmailError.js';
import { buildReportEmail, type ReportEmail } from './renderEmail.js';
import { describeSmtp, smtpSettingsFromEnv, type SmtpSettings } from './smtpSettings.js';

export interface DeliverOptions {
  /** Recipients: an array, or one string of comma-separated addresses. */
  readonly to: string | readonly string[];
  /** Where SMTP settings are read from (`CAPPLAN_SMTP_*`); pass `ctx.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Overrides `CAPPLAN_SMTP_FROM`. */
  readonly from?: string;
  /** Extra attachments, e.g. the report files written to disk. */
  readonly attachments?: readonly Attachment[];
  /** For tests or other transports; default an SMTP transport from the settings. */
  readonly transport?: Transporter<SMTPTransport.SentMessageInfo>;
  /** Milliseconds to wait for connecting and for each reply (default 20 000). */
  readonly timeoutMs?: number;
}

export interface DeliveryResult {
  readonly messageId: string;
  readonly subject: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  readonly server: string;
}

/**
 * Emails the report: builds the message from the model (HTML with inline
 * charts, plain text, CSV) and sends it over SMTP with settings from `env`.
 * Throws `EmailError` (exit code 1) with a message naming the server and the
 * cause; never throws before the caller has had the chance to write files.
 */
export async function deliverReport(model: ReportModel, options: DeliverOptions): Promise<DeliveryResult> {
  const to = parseRecipients(options.to);
  const settings = smtpSettingsFromEnv(options.env);
  const email = buildReportEmail(model, options.attachments ? { attachments: options.attachments } : {});
  return sendReportEmail(email, to, settings, options);
}

/** Sends an already-built message; see `deliverReport`. */
export async function sendReportEmail(
  email: ReportEmail,
  to: readonly string[],
  settings: SmtpSettings,
  options: Pick<DeliverOptions, 'from' | 'transport' | 'timeoutMs'> = {},
): Promise<DeliveryResult> {
  const timeout = options.timeoutMs ?? 20_000;
  const transport = options.transport ?? createSmtpTransport(settings, timeout);
  const server = describeSmtp(settings);
  try {
    const info = await transport.sendMail({
      from: options.from ?? settings.from,
      to: [...to],
      subject: email.subject,
      text: email.text,
      html: email.html,
      attachments: email.attachments,
    });
    const addr = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);
    const rejected = info.rejected.map(addr);
    if (info.accepted.length === 0) throw new EmailError(`email not sent via ${server}: every recipient was rejected (${rejected.join(', ')})`, 'EENVELOPE');
    return { messageId: info.messageId, subject: email.subject, accepted: info.accepted.map(addr), rejected, server };
  } catch (err) {
    if (err instanceof EmailError) throw err;
    throw explain(err, server, settings);
  } finally {
    if (!options.transport) transport.close();
  }
}

export function createSmtpTransport(s: SmtpSettings, timeoutMs = 20_000): Transporter<SMTPTransport.SentMessageInfo> {
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: !s.secure && s.startTls,
    ignoreTLS: !s.secure && !s.startTls,
    ...(s.user !== null ? { auth: { user: s.user, pass: s.pass ?? '' } } : {}),
    tls: { rejectUnauthorized: s.verifyTls, servername: s.host },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

/**
 * `a@x, b@y` or an array → trimmed, non-empty addresses; throws a usage error for none or an obviously bad one,
 * naming `what` (the flag or plan path the addresses came from, given by the caller).
 */
export function parseRecipients(to: string | readonly string[], what = 'recipients'): string[] {
  const list = (typeof to === 'string' ? to.split(',') : [...to]).map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new UsageError(`${what}: no recipient given (expected ADDRESS[,ADDRESS])`);
  const bad = list.find((a) => !/^[^@\s<>,]+@[^@\s<>,]+$/.test(a.replace(/^.*<(.+)>$/, '$1')) || /[\u0000-\u001f]/.test(a));
  if (bad !== undefined) throw new UsageError(`${what}: '${bad}' is not an email address`);
  return list;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  cause?: unknown;
}

function explain(err: unknown, server: string, s: SmtpSettings): EmailError {
  const e = (err ?? {}) as SmtpFailure;
  const message = e.message ?? String(err);
  const sys = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ECONNRESET|ETIMEDOUT)\b/.exec(message)?.[1];
  const reply = e.response ? ` (server said: ${e.response.trim()})` : '';
  let text: string;
  switch (e.code) {
    case 'EAUTH':
      text = `authentication as ${s.user ?? '(no user)'} failed${reply}; check CAPPLAN_SMTP_USER and CAPPLAN_SMTP_PASS/CAPPLAN_SMTP_PASS_FILE`;
      break;
    case 'ETLS':
      text = `TLS failed: ${message}; the server must offer STARTTLS with a valid certificate (CAPPLAN_SMTP_STARTTLS=off only for a trusted local relay)`;
      break;
    case 'EENVELOPE':
      text = `recipients or sender refused${reply || `: ${message}`}`;
      break;
    case 'ETIMEDOUT':
      text = `timed out: ${message}`;
      break;
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
      text =
        sys === 'ECONNREFUSED'
          ? 'connection refused: is the SMTP server running and CAPPLAN_SMTP_URL/CAPPLAN_SMTP_HOST/CAPPLAN_SMTP_PORT right?'
          : /certificate|self[- ]signed|TLS|SSL/i.test(message)
            ? `TLS failed: ${message} (CAPPLAN_SMTP_TLS_VERIFY=off accepts an unverified certificate)`
            : `cannot connect: ${message}`;
      break;
    default:
      text = /STARTTLS/i.test(message)
        ? `TLS failed: ${message} (the server does not offer STARTTLS; CAPPLAN_SMTP_STARTTLS=off only for a trusted local relay)`
        : `${message}${reply}`;
  }
  return new EmailError(`email not sent via ${server}: ${text}`, e.code, { cause: err });
}
