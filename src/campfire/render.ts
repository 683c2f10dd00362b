import { Marked, type Tokens } from "marked";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Makes any text safe inside HTML content or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/**
 * Escapes Markdown prose. Marked leaves character references (`&amp;`, `&copy;`) in text for the browser to
 * resolve, as CommonMark means them to be, so an `&` that starts one is kept: in element content a reference
 * can only ever become a character, never markup. Every other `&` and all of `< > " '` are escaped.
 */
function escapeProse(text: string): string {
  return text.replace(/[<>"']|&(?!#\d{1,7};|#x[\da-f]{1,6};|[a-z][a-z\d]{1,31};)/gi, (char) => ESCAPES[char]!);
}

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

export interface RenderOptions {
  /** Campfire's base URL, e.g. `https://chat.example.com`: relative message permalinks resolve against it. */
  campfireUrl?: string;
}

/** A Campfire message's permalink as its webhook gives it, relative: `/rooms/3/@1234`. */
const PERMALINK = /^\/rooms\/\d+\/@\d+$/;

/**
 * The href to emit, or null when the link must show as text only. The WHATWG URL parser drops the tabs,
 * newlines and control characters browsers ignore and lower-cases the scheme, so `java\tscript:` and
 * `JaVaScRiPt:` are seen for what they are; relative links (meaningless in a chat message) and
 * `&#106;avascript:` are not absolute URLs and fail to parse. Only the parser's own serialization is emitted,
 * so the browser follows exactly the URL that was checked. A relative Campfire permalink is made absolute on
 * `campfireUrl` when it is known; no other relative link is.
 */
function safeHref(href: string, campfireUrl: string | undefined): string | null {
  const url = URL.parse(campfireUrl && PERMALINK.test(href) ? campfireUrl.replace(/\/+$/, "") + href : href);
  return url && SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}

/** A GFM table as padded columns of its source text: Campfire has no tables, a `<pre>` keeps them readable. */
function tableText({ header, rows }: Tokens.Table): string {
  const lines = [header, ...rows].map((row) => row.map((cell) => cell.text));
  const widths = header.map((_, column) => lines.reduce((width, line) => Math.max(width, line[column]!.length), 0));
  const format = (line: string[]) =>
    line
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join(" | ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("-|-");
  return [format(lines[0]!), rule, ...lines.slice(1).map(format)].join("\n");
}

/**
 * Campfire renders Action Text HTML, not Markdown, and only some tags well. Every construct maps onto
 * `p br strong em a ul ol li pre code blockquote h1` with no attribute but a checked `href`; raw HTML from
 * the model is shown as text, never run. Marked's defaults are kept only where they already emit those tags
 * (paragraph, blockquote, strong, em, br). One instance per Campfire URL, as links resolve against it.
 */
const instances = new Map<string | undefined, Marked>();
function campfireMarkdown(campfireUrl: string | undefined): Marked {
  let instance = instances.get(campfireUrl);
  if (!instance) instances.set(campfireUrl, (instance = createMarked(campfireUrl)));
  return instance;
}

function createMarked(campfireUrl: string | undefined): Marked {
  return new Marked({
    gfm: true,
    // In chat a single newline is meant as a line break.
    breaks: true,
    renderer: {
      html: ({ text, block }) =>
        block ? `<p>${escapeHtml(text.trim()).replace(/\n/g, "<br>")}</p>\n` : escapeHtml(text),
      // Marked's own passes text after an inline `<script>` or `<pre>` through unescaped; here all text is escaped.
      text(token) {
        return "tokens" in token && token.tokens ? this.parser.parseInline(token.tokens) : escapeProse(token.text);
      },
      code: ({ text }) => `<pre><code>${escapeHtml(text.replace(/\n+$/, ""))}</code></pre>\n`,
      codespan: ({ text }) => `<code>${escapeHtml(text)}</code>`,
      heading({ tokens, depth }) {
        const inner = this.parser.parseInline(tokens);
        return depth === 1 ? `<h1>${inner}</h1>\n` : `<p><strong>${inner}</strong></p>\n`;
      },
      hr: () => "<p>———</p>\n",
      // No `start` attribute, as the output allows none: an ordered list always numbers from 1.
      list(token) {
        const tag = token.ordered ? "ol" : "ul";
        return `<${tag}>\n${token.items.map((item) => this.listitem(item)).join("")}</${tag}>\n`;
      },
      listitem(item) {
        return `<li>${this.parser.parse(item.tokens).trim()}</li>\n`;
      },
      // Marked puts the checkbox token at the start of the item's text, inside its paragraph in a loose list.
      checkbox: ({ checked }) => (checked ? "☑ " : "☐ "),
      table: (token) => `<pre>${escapeHtml(tableText(token))}</pre>\n`,
      del({ tokens }) {
        return `~${this.parser.parseInline(tokens)}~`;
      },
      link({ href, text, tokens, autolink }) {
        // An autolink's text is the literal URL; other link text is Markdown.
        const label = autolink ? escapeHtml(text) : this.parser.parseInline(tokens);
        const target = safeHref(href, campfireUrl);
        return target ? `<a href="${escapeHtml(target)}">${label}</a>` : label;
      },
      // Campfire shows no remote images; a link labelled with the alt text keeps the image one click away.
      image({ href, text }) {
        const label = text ? escapeProse(text) : escapeHtml(href);
        const target = safeHref(href, campfireUrl);
        return target ? `<a href="${escapeHtml(target)}">${label}</a>` : label;
      },
    },
  });
}

/**
 * Claude's Markdown as HTML that Campfire shows well and that cannot run anything. Never throws. With
 * `campfireUrl`, links to message permalinks written relative (`/rooms/3/@1234`) stay clickable.
 */
export function renderMarkdown(markdown: string): string;
export function renderMarkdown(markdown: string, options: RenderOptions): string;
// The one-argument form keeps `parts.map(renderMarkdown)` typed; map's index then lands in `options` and,
// having no `campfireUrl`, changes nothing.
export function renderMarkdown(markdown: string, options: RenderOptions = {}): string {
  if (markdown.trim() === "") return "";
  let html = "";
  try {
    html = campfireMarkdown(options.campfireUrl).parse(markdown, { async: false }).trim();
  } catch {
    // Marked gave up on some pathological input, e.g. nesting deep enough to exhaust the stack.
  }
  // Never lose the answer: show it as plain text then, or when it held nothing visible (a lone link definition).
  return html || `<p>${escapeHtml(markdown.trim()).replace(/\n/g, "<br>")}</p>`;
}
