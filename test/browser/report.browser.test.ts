import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../src/report/renderPdf.js';
import { runCli } from '../support/runCli.js';

/**
 * Opens the HTML report of the small demo fleet in real headless Chromium
 * (Debian's /usr/bin/chromium, or CAPPLAN_CHROMIUM): no console errors, every
 * chart drawn with a size, the key text present. Saves a screenshot to
 * test-artifacts/ for people to look at.
 */
const CHROMIUM = chromiumPath({ env: process.env });
const NOW = Date.UTC(2026, 10, 24, 9, 30);
const ARTIFACTS = resolve('test-artifacts');

describe('HTML report in headless Chromium', () => {
  let dir: string;
  let html: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-browser-'));
    const db = join(dir, 'demo.duckdb');
    const demo = await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'demo-reports'), '--workers', '2'], { nowMs: NOW, cwd: dir });
    expect(demo.code).toBe(0);
    html = join(dir, 'report.html');
    const report = await runCli(['report', '--db', db, '--format', 'html', '--out', html, '--tz', 'Europe/Berlin', '--quarter', '2027-Q1'], { nowMs: NOW, cwd: dir });
    expect(report.stderr).toContain(`report written to ${html}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs() });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders without console errors; charts have size; the key text is there', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) failed.push(`external request ${r.url()}`);
    });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

    const charts = page.locator('figure.chart svg');
    expect(await charts.count()).toBeGreaterThan(0);
    for (const svg of await charts.all()) {
      const box = await svg.boundingBox();
      expect(box && box.width > 300 && box.height > 150, JSON.stringify(box)).toBe(true);
      // Vega drew marks: lines and the band are paths with geometry
      expect(await svg.locator('path').count()).toBeGreaterThan(5);
    }
    const text = await page.locator('body').innerText();
    for (const s of [
      'Capacity headroom report',
      'Executive summary',
      'This quarter: 2027-Q1',
      'Next quarter: 2027-Q2',
      'db-01 /data',
      'Recommended action',
      'What changed since the last report',
      'Headroom by cluster',
      'Charts of the resources most at risk',
      'Resources, soonest to exhaust first',
      'Methodology and data quality',
      'all dates Europe/Berlin',
    ]) {
      expect(text).toContain(s);
    }
    // no table overflows the page
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-demo.png'), fullPage: true });
    expect(statSync(join(ARTIFACTS, 'report-demo.png')).size).toBeGreaterThan(50_000);
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  });

  it('capplan report --format pdf prints it through Chromium', async () => {
    const pdf = join(dir, 'report.pdf');
    const run = await runCli(['report', '--db', join(dir, 'demo.duckdb'), '--format', 'pdf', '--out', pdf], { nowMs: NOW, cwd: dir, env: { CAPPLAN_CHROMIUM: CHROMIUM } });
    expect(run.stderr).toContain(`report written to ${pdf}`);
    expect(run.code).toBe(0);
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(20_000);
  });
});
