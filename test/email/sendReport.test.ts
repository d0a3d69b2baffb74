import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmailError } from '../../src/email/EmailError.js';
import { deliverReport, parseRecipients } from '../../src/email/sendReport.js';
import { formatPercent, formatQuantity } from '../../src/report/units.js';
import { describeSmtp, smtpSettingsFromEnv } from '../../src/email/smtpSettings.js';
import { reportSubject } from '../../src/email/subject.js';
import type { ReportModel } from '../../src/report/ReportModel.js';
import { renderCsv } from '../../src/report/renderJson.js';
import { goldenModel, goldenStore, NOW } from '../golden/fixture.js';
import { runCli } from '../support/runCli.js';

interface Inbox {
  readonly port: number;
  readonly mails: ParsedMail[];
  readonly envelopes: { from: string; to: string[] }[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback that parses whatever arrives. */
async function startInbox(options: Partial<SMTPServerOptions> = {}): Promise<Inbox> {
  const mails: ParsedMail[] = [];
  const envelopes: Inbox['envelopes'] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    ...options,
    onData(stream, session, callback) {
      simpleParser(stream, { keepCidLinks: true })
        .then((mail) => {
          mails.push(mail);
          envelopes.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port;
  return { port, mails, envelopes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const plain = (port: number) => ({ CAPPLAN_SMTP_URL: `smtp://127.0.0.1:${port}`, CAPPLAN_SMTP_STARTTLS: 'off', CAPPLAN_SMTP_FROM: 'capplan <capplan@example.test>' });

describe('email delivery against a real SMTP server on loopback', () => {
  let dir: string;
  let db: string;
  let model: ReportModel;
  const inboxes: Inbox[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-email-'));
    db = await goldenStore(dir);
    model = await goldenModel(db);
  });
  afterEach(async () => {
    for (const i of inboxes.splice(0)) await i.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers HTML with inline CID charts, a plain-text part and the CSV', async () => {
    const inbox = await startInbox();
    inboxes.push(inbox);
    const sent = await deliverReport(model, { to: 'ops@example.test, cto@example.test', env: plain(inbox.port) });
    expect(sent.accepted).toEqual(['ops@example.test', 'cto@example.test']);
    expect(inbox.mails).toHaveLength(1);
    const mail = inbox.mails[0];
    expect(inbox.envelopes[0]).toEqual({ from: 'capplan@example.test', to: ['ops@example.test', 'cto@example.test'] });

    expect(mail.subject).toBe(reportSubject(model));
    // The subject counts late orders too, not only "full".
    expect(mail.subject).toBe(`2 resources exhaust before 2026-12-31: full-01 /data already full; ${model.summary.counts.lateOrders} late orders`);
    expect(model.summary.counts.lateOrders).toBeGreaterThan(0);
    // What to order, by when, and the group wording: free amount, not used.
    expect(mail.text).toContain('What to order, by when');
    expect(mail.text).toMatch(/- db-07 \/data \(disk\): add [\d.]+ TiB, order by 2026-10-26 \(LATE\), needed by 2026-11-25, 30 d lead time/);
    const usDisk = model.groups.groups.find((g) => g.key === 'us-east')?.rollups.find((r) => r.resource === 'disk');
    expect(mail.text).toContain(`us-east disk: ${formatPercent(usDisk!.headroomRatio)} free (${formatQuantity(usDisk!.capacity! - usDisk!.usage!, 'bytes')} of ${formatQuantity(usDisk!.capacity, 'bytes')} free)`);
    expect(String(mail.html)).toContain('What to order, by when');
    expect(mail.text).toContain('This quarter: 2026-Q4 (at risk by 2026-12-31)');
    expect(mail.text).toContain('db-07 /data (disk): 2026-12-12 – 2026-12-14 – 2026-12-16');
    const html = String(mail.html);
    expect(html).toContain('What changed since the last report');
    expect(html).not.toContain('<svg');

    const inline = mail.attachments.filter((a) => a.contentType === 'image/png');
    expect(inline).toHaveLength(model.charts.length);
    for (const a of inline) {
      expect(a.contentDisposition).toBe('inline');
      expect(a.related).toBe(true);
      expect(a.content.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(a.content.length).toBeGreaterThan(5_000);
    }
    // every cid: the HTML refers to is an inline part, and every inline part is referred to
    const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]).sort();
    expect(cids).toEqual(inline.map((a) => a.contentId?.replace(/^<|>$/g, '')).sort());
    expect(cids).toHaveLength(3);

    const csv = mail.attachments.find((a) => a.filename === 'headroom-2026-11-24.csv');
    expect(csv?.contentDisposition).toBe('attachment');
    expect(csv?.content.toString('utf8')).toBe(renderCsv(model));
  });

  it('authenticates with a user and a password file', async () => {
    const inbox = await startInbox({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === 'capplan' && auth.password === 's3cret pass') callback(null, { user: 'capplan' });
        else callback(new Error('Invalid username or password'));
      },
    });
    inboxes.push(inbox);
    const passFile = join(dir, 'smtp-pass');
    writeFileSync(passFile, 's3cret pass\n');
    const env = { ...plain(inbox.port), CAPPLAN_SMTP_USER: 'capplan', CAPPLAN_SMTP_PASS_FILE: passFile };
    await deliverReport(model, { to: ['ops@example.test'], env });
    expect(inbox.mails).toHaveLength(1);

    const wrong = deliverReport(model, { to: ['ops@example.test'], env: { ...env, CAPPLAN_SMTP_PASS_FILE: '', CAPPLAN_SMTP_PASS: 'nope' } });
    await expect(wrong).rejects.toThrow(EmailError);
    await expect(wrong).rejects.toThrow(/authentication as capplan failed .*check CAPPLAN_SMTP_USER/);
  });

  it('refuses to send in clear text when the server offers no STARTTLS (the default)', async () => {
    const inbox = await startInbox();
    inboxes.push(inbox);
    const env = { CAPPLAN_SMTP_HOST: '127.0.0.1', CAPPLAN_SMTP_PORT: String(inbox.port), CAPPLAN_SMTP_FROM: 'capplan@example.test' };
    await expect(deliverReport(model, { to: 'ops@example.test', env })).rejects.toThrow(/email not sent via smtp:\/\/127\.0\.0\.1:\d+ \(STARTTLS\): TLS failed/);
    expect(inbox.mails).toHaveLength(0);
  });

  it('a refused connection is a clear error', async () => {
    const port = await closedPort();
    await expect(deliverReport(model, { to: 'ops@example.test', env: plain(port) })).rejects.toThrow(
      `email not sent via smtp://127.0.0.1:${port} (no TLS): connection refused`,
    );
  });

  it('capplan report --email: writes the report, then mails it', async () => {
    const inbox = await startInbox();
    inboxes.push(inbox);
    const out = join(dir, 'out') + '/';
    const run = await runCli(['report', '--db', db, '--format', 'html', '--out', out, '--tz', 'Europe/Berlin', '--email', 'ops@example.test'], { nowMs: NOW, env: plain(inbox.port) });
    expect(run.stderr).toMatch(/report written to .*headroom-2026-11-24\.html/);
    expect(run.stderr).toMatch(/emailed "\d+ resources exhaust before 2026-12-31: .*" to ops@example.test/);
    expect(run.code).toBe(0);
    expect(inbox.mails[0].attachments.map((a) => a.filename)).toContain('headroom-2026-11-24.html');
  });

  it('capplan report --email without --out mails the report and does not print it on stdout too', async () => {
    const inbox = await startInbox();
    inboxes.push(inbox);
    const run = await runCli(['report', '--db', db, '--email', 'ops@example.test'], { nowMs: NOW, env: plain(inbox.port) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^capplan: emailed ".*" to ops@example.test/m);
    expect(inbox.mails).toHaveLength(1);
    // Settings are checked before the report is built: no sender, no work.
    const noFrom = await runCli(['report', '--db', db, '--email', 'ops@example.test'], { nowMs: NOW, env: { CAPPLAN_SMTP_URL: `smtp://127.0.0.1:${inbox.port}` } });
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toMatch(/^capplan: email: no sender address; set CAPPLAN_SMTP_FROM/);
    expect(inbox.mails).toHaveLength(1);
  });

  it('capplan report --email with SMTP down: non-zero exit, clear message, report still on disk', async () => {
    const port = await closedPort();
    const out = join(dir, 'down', 'report.md');
    const run = await runCli(['report', '--db', db, '--out', out, '--email', 'ops@example.test'], { nowMs: NOW, env: plain(port) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`capplan: email not sent via smtp://127.0.0.1:${port} (no TLS): connection refused`);
    expect(run.stderr).toContain(`(the report was written to ${out})`);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Capacity headroom report/);
  });

  it('missing or bad settings are usage errors naming the variable', async () => {
    const run = await runCli(['report', '--db', db, '--email', 'ops@example.test'], { nowMs: NOW, env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no SMTP server configured; set CAPPLAN_SMTP_URL/);
    expect(() => smtpSettingsFromEnv({ CAPPLAN_SMTP_URL: 'http://x' })).toThrow(/scheme must be smtp or smtps/);
    expect(() => smtpSettingsFromEnv({ CAPPLAN_SMTP_HOST: 'x', CAPPLAN_SMTP_PORT: 'abc' })).toThrow(/CAPPLAN_SMTP_PORT/);
    expect(() => parseRecipients(' , ')).toThrow(/no recipient/);
    expect(() => parseRecipients('a@b, nope')).toThrow(/^recipients: 'nope' is not an email address/);
    // The caller names where the addresses came from: a flag, or the plan file's path (no flag below cli/).
    expect(() => parseRecipients(['ops@x.test', 'nope'], 'plan.yaml: email.to')).toThrow(/^plan\.yaml: email\.to: 'nope' is not an email address/);
    const s = smtpSettingsFromEnv({ CAPPLAN_SMTP_URL: 'smtps://me%40corp:p%40ss@mail.example.test', CAPPLAN_SMTP_FROM: 'capplan <capplan@example.test>' });
    expect(s).toMatchObject({ host: 'mail.example.test', port: 465, secure: true, user: 'me@corp', pass: 'p@ss', startTls: true });
    expect(describeSmtp(s)).toBe('smtps://me%40corp@mail.example.test:465');
    expect(smtpSettingsFromEnv({ CAPPLAN_SMTP_HOST: 'relay', CAPPLAN_SMTP_FROM: 'ops@example.test' })).toMatchObject({ port: 587, secure: false, startTls: true, verifyTls: true, from: 'ops@example.test' });
    // No sender is made up from the server's name: the user when it is an address, else an error naming the variable.
    expect(smtpSettingsFromEnv({ CAPPLAN_SMTP_URL: 'smtp://capplan%40example.test@relay:25' }).from).toBe('capplan <capplan@example.test>');
    expect(() => smtpSettingsFromEnv({ CAPPLAN_SMTP_URL: 'smtp://127.0.0.1:25' })).toThrow(/no sender address; set CAPPLAN_SMTP_FROM/);
    expect(() => smtpSettingsFromEnv({ CAPPLAN_SMTP_HOST: 'relay', CAPPLAN_SMTP_USER: 'me@corp' })).toThrow(/CAPPLAN_SMTP_FROM/);
  });
});
