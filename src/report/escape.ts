/** Escaping for every place untrusted text (label values, names from config) lands. */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]);
}

/**
 * A Markdown table cell: pipes and backslashes escaped, line breaks folded, and
 * HTML-significant characters turned into entities, since Markdown renderers
 * pass inline HTML through.
 */
export function escapeMarkdownCell(text: string): string {
  return escapeMarkdownInline(text).replace(/\|/g, '\\|').replace(/\r?\n|\r/g, ' ');
}

/** Markdown text outside tables: neutralises emphasis, links, code and inline HTML. */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/[&<>]/g, (c) => HTML[c])
    .replace(/([`*_[\]#])/g, '\\$1');
}
