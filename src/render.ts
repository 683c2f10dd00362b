import { Marked, type Tokens } from "marked";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Makes any text safe inside HTML content or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/**
 * The href to use, or null when the link must render as text only. Entities are decoded first and the URL
 * parser strips the tabs, newlines and control characters browsers ignore, so `java&#09;script:` and
 * `JaVaScRiPt:` are seen for what they are. Relative links mean nothing in a chat message.
 */
function safeHref(raw: string): string | null {
  const decoded = raw.replace(/&#(x[0-9a-f]+|\d+);?/gi, (_, code: string) => {
    const point = code[0] === "x" || code[0] === "X" ? parseInt(code.slice(1), 16) : Number(code);
    return point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : "";
  });
  const url = URL.parse(decoded.trim());
  return url && SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}

/**
 * Campfire renders Action Text HTML, not Markdown, and only some tags well. Every construct maps onto
 * `p br strong em a ul ol li pre code blockquote h1`; raw HTML from the model is shown as text, never run.
 */
const markdown = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: ({ text, block }) => (block ? `<p>${escapeHtml(text.trim())}</p>\n` : escapeHtml(text)),
    // Marked passes text after an inline `<script>` or `<pre>` through unescaped; all text is escaped here.
    text(token) {
      return "tokens" in token && token.tokens ? this.parser.parseInline(token.tokens) : escapeHtml(token.text);
    },
    code: ({ text }) => `<pre><code>${escapeHtml(text.replace(/\n$/, ""))}</code></pre>\n`,
    codespan: ({ text }) => `<code>${escapeHtml(text)}</code>`,
    heading({ tokens, depth }) {
      const inner = this.parser.parseInline(tokens);
      return depth === 1 ? `<h1>${inner}</h1>\n` : `<p><strong>${inner}</strong></p>\n`;
    },
    hr: () => "<p>———</p>\n",
    list(token) {
      const tag = token.ordered ? "ol" : "ul";
      return `<${tag}>\n${token.items.map((item) => this.listitem(item)).join("")}</${tag}>\n`;
    },
    listitem(item) {
      const box = item.task ? (item.checked ? "☑ " : "☐ ") : "";
      return `<li>${box}${this.parser.parse(item.tokens).trim()}</li>\n`;
    },
    // Task-list boxes are rendered as text by listitem.
    checkbox: () => "",
    table(token: Tokens.Table) {
      const cells = (row: Tokens.TableCell[]) => row.map((cell) => cell.text).join(" | ");
      return `<pre>${escapeHtml([cells(token.header), ...token.rows.map(cells)].join("\n"))}</pre>\n`;
    },
    del({ tokens }) {
      return `~${this.parser.parseInline(tokens)}~`;
    },
    link({ href, tokens }) {
      const text = this.parser.parseInline(tokens);
      const safe = safeHref(href);
      return safe ? `<a href="${escapeHtml(safe)}">${text}</a>` : text;
    },
    image({ href, text }) {
      const safe = safeHref(href);
      const label = escapeHtml(text || href);
      return safe ? `<a href="${escapeHtml(safe)}">${label}</a>` : label;
    },
  },
});

/** Claude's Markdown as HTML that Campfire shows well and that cannot run anything. Never throws. */
export function renderMarkdown(text: string): string {
  if (text.trim() === "") return "";
  try {
    return (markdown.parse(text) as string).trim();
  } catch {
    // Marked failing on some pathological input must not lose the answer: show it as plain text.
    return `<p>${escapeHtml(text).replace(/\n/g, "<br>")}</p>`;
  }
}
