/**
 * The report formats, apart from their renderers: the CLI declares its --format
 * choices from this list without loading charts or Chromium.
 */

/** The text formats, rendered synchronously from the model. */
export type ReportFormat = 'md' | 'html' | 'json' | 'csv';
/** Every format `capplan report` writes; PDF goes through headless Chromium. */
export type OutputFormat = ReportFormat | 'pdf';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['md', 'html', 'json', 'csv', 'pdf'];
