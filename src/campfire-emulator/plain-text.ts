/**
 * Action Text's plain text of rich-text HTML (`ActionText::PlainTextConversion`), which Campfire's message JSON
 * gives as `body.plain_text`: paragraphs and headings end in a blank line, a div or a <br> in a line break, list
 * items get "•" or "1." bullets (numbered by their position among the list's child nodes, as Action Text does),
 * a blockquote gets curly quotes, figcaptions brackets; tags go, entities are decoded, trailing line breaks trimmed.
 */
export function plainText(html: string): string {
  return chompNewlines(textOf(parse(html), 0));
}

interface Element {
  name: string;
  parent: Element | null;
  children: Node[];
}
type Node = Element | string;

const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);
const RAW_TEXT = new Set(["script", "style"]);
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-zA-Z][\w:-]*)(?:[^>"']|"[^"]*"|'[^']*')*>|[^<]+|</g;

/** A forgiving tree of the HTML: an unmatched closing tag is ignored, an unclosed element ends with its parent. */
function parse(html: string): Element {
  const root: Element = { name: "#fragment", parent: null, children: [] };
  let open = root;
  TOKEN.lastIndex = 0;
  for (let token = TOKEN.exec(html); token; token = TOKEN.exec(html)) {
    const [whole, closing, tagName] = token;
    if (whole.startsWith("<!--")) continue;
    if (!tagName) {
      open.children.push(decodeEntities(whole));
      continue;
    }
    const name = tagName.toLowerCase();
    if (closing) {
      for (let element: Element | null = open; element && element !== root; element = element.parent) {
        if (element.name === name) {
          open = element.parent!;
          break;
        }
      }
      continue;
    }
    const element: Element = { name, parent: open, children: [] };
    open.children.push(element);
    if (RAW_TEXT.has(name)) {
      // Script and style hold raw text up to their end tag, and add nothing to the plain text.
      const end = html.toLowerCase().indexOf(`</${name}`, TOKEN.lastIndex);
      TOKEN.lastIndex = end === -1 ? html.length : end;
    } else if (!VOID.has(name) && !whole.endsWith("/>")) open = element;
  }
  return root;
}

function textOf(node: Node, index: number): string {
  if (typeof node === "string") return chompNewlines(node);
  switch (node.name) {
    case "script":
    case "style":
      return "";
    case "p":
    case "h1":
      return block(node);
    case "ul":
    case "ol":
      return (listDepth(node) > 0 ? "\n" : "") + block(node);
    case "br":
      return "\n";
    case "div":
      return `${chompNewlines(childrenText(node))}\n`;
    case "figcaption":
      return `[${chompNewlines(childrenText(node))}]`;
    case "blockquote": {
      const text = block(node);
      if (!text.trim()) return "“”";
      const first = text.search(/\S/);
      const last = text.search(/\S\s*$/) + 1;
      return `${text.slice(0, first)}“${text.slice(first, last)}”${text.slice(last)}`;
    }
    case "li": {
      const list = nearestList(node);
      const bullet = list?.name === "ol" ? `${index + 1}.` : "•";
      const depth = listDepth(node);
      return `${"  ".repeat(Math.max(0, depth - 1))}${bullet} ${chompNewlines(childrenText(node))}\n`;
    }
    default:
      return childrenText(node);
  }
}

const childrenText = (element: Element) => element.children.map((child, index) => textOf(child, index)).join("");
const block = (element: Element) => `${chompNewlines(childrenText(element))}\n\n`;

function nearestList(element: Element): Element | null {
  for (let ancestor = element.parent; ancestor; ancestor = ancestor.parent)
    if (ancestor.name === "ul" || ancestor.name === "ol") return ancestor;
  return null;
}

function listDepth(element: Element): number {
  let depth = 0;
  for (let ancestor = element.parent; ancestor; ancestor = ancestor.parent)
    if (ancestor.name === "ul" || ancestor.name === "ol") depth++;
  return depth;
}

/** Ruby's `chomp("")`: every trailing line break goes. */
const chompNewlines = (text: string) => text.replace(/(?:\r?\n)+$/, "");

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[\da-f]+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] !== "#") return NAMED[name.toLowerCase()] ?? entity;
    const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
