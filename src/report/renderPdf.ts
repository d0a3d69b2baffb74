import { existsSync } from 'node:fs';
import { CapplanError } from '../errors.js';
import type { ReportModel } from './ReportModel.js';
import { renderHtml } from './renderHtml.js';

export interface PdfOptions {
  /** Chromium or Chrome binary; default `CAPPLAN_CHROMIUM` from `env`, then /usr/bin/chromium. */
  readonly executablePath?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Chromium flags for a headless run; the sandbox cannot start as root (containers, CI). */
export function chromiumArgs(): string[] {
  return process.getuid?.() === 0 ? ['--no-sandbox'] : [];
}

export function chromiumPath(options: PdfOptions = {}): string {
  return options.executablePath ?? options.env?.CAPPLAN_CHROMIUM ?? '/usr/bin/chromium';
}

/** Prints the HTML report to A4 PDF with headless Chromium (driven by playwright-core). */
export async function renderPdf(model: ReportModel, options: PdfOptions = {}): Promise<Buffer> {
  const executablePath = chromiumPath(options);
  if (!existsSync(executablePath)) {
    throw new CapplanError(`PDF needs Chromium: ${executablePath} does not exist (install Debian's chromium or set CAPPLAN_CHROMIUM)`);
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new CapplanError('PDF needs the playwright-core package: npm install playwright-core');
  }
  const browser = await playwright.chromium.launch({ executablePath, headless: true, args: chromiumArgs() });
  try {
    const page = await browser.newPage();
    await page.setContent(renderHtml(model), { waitUntil: 'load' });
    // Landscape: the risk and order tables have up to eleven columns; the summary still starts page 1.
    return await page.pdf({ format: 'A4', landscape: true, printBackground: true, margin: { top: '10mm', bottom: '10mm', left: '10mm', right: '10mm' } });
  } finally {
    await browser.close();
  }
}
