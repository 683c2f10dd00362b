import { describe, expect, it } from "vitest";
import { escapeHtml, renderMarkdown } from "../../src/render";

const ALLOWED_TAGS = new Set(["p", "br", "strong", "em", "a", "ul", "ol", "li", "pre", "code", "blockquote", "h1"]);

/** Every tag and attribute in the output, to hold it to what Campfire renders and nothing that can run. */
function tagsAndAttributes(html: string): { tags: string[]; attributes: string[] } {
  const tags = [...html.matchAll(/<\/?([a-zA-Z0-9-]+)/g)].map((m) => m[1]!.toLowerCase());
  const attributes = [...html.matchAll(/<[a-zA-Z][^>]*?\s([a-zA-Z-]+)\s*=/g)].map((m) => m[1]!.toLowerCase());
  return { tags, attributes };
}

describe("renderMarkdown", () => {
  it("renders the everyday constructs as tags Campfire shows", () => {
    expect(renderMarkdown("Hello **bold** and *em* and `code`")).toBe("<p>Hello <strong>bold</strong> and <em>em</em> and <code>code</code></p>");
    expect(renderMarkdown("- one\n- two")).toBe("<ul>\n<li>one</li>\n<li>two</li>\n</ul>");
    expect(renderMarkdown("1. one\n2. two")).toBe("<ol>\n<li>one</li>\n<li>two</li>\n</ol>");
    expect(renderMarkdown("> quoted")).toBe("<blockquote>\n<p>quoted</p>\n</blockquote>");
    expect(renderMarkdown("[docs](https://example.com/a?b=1&c=2)")).toBe('<p><a href="https://example.com/a?b=1&amp;c=2">docs</a></p>');
    expect(renderMarkdown("line one\nline two")).toBe("<p>line one<br>line two</p>");
  });

  it("maps headings onto h1 and bold paragraphs", () => {
    expect(renderMarkdown("# Title")).toBe("<h1>Title</h1>");
    expect(renderMarkdown("### Section")).toBe("<p><strong>Section</strong></p>");
  });

  it("keeps code blocks verbatim, escaped and free of Markdown", () => {
    const html = renderMarkdown("```ts\nconst a = 1 < 2 && **not bold**;\n<b>x</b>\n```");
    expect(html).toBe("<pre><code>const a = 1 &lt; 2 &amp;&amp; **not bold**;\n&lt;b&gt;x&lt;/b&gt;</code></pre>");
  });

  it("shows tables as aligned text, task lists with boxes, images as links", () => {
    expect(renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |")).toBe("<pre>a | b\n1 | 2</pre>");
    expect(renderMarkdown("- [x] done\n- [ ] todo")).toBe("<ul>\n<li>☑ done</li>\n<li>☐ todo</li>\n</ul>");
    expect(renderMarkdown("![a cat](https://img.example/cat.png)")).toBe('<p><a href="https://img.example/cat.png">a cat</a></p>');
  });

  it("turns bare URLs into links", () => {
    expect(renderMarkdown("see https://example.com now")).toBe('<p>see <a href="https://example.com/">https://example.com</a> now</p>');
  });

  it("shows the model's raw HTML as text instead of running it", () => {
    expect(renderMarkdown("<script>alert(1)</script>")).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const inline = renderMarkdown('hi <img src=x onerror="alert(1)"> there');
    expect(inline).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(inline).not.toMatch(/<img/);
  });

  it.each([
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox)",
    '<a href="javascript:alert(1)">x</a>',
    "[x](/relative/path)",
  ])("renders %s as its text with no link", (input) => {
    const html = renderMarkdown(input);
    expect(html).not.toMatch(/<a\s/);
    expect(html).toMatch(/x/);
  });

  it("keeps mailto links", () => {
    expect(renderMarkdown("[mail](mailto:ada@example.com)")).toBe('<p><a href="mailto:ada@example.com">mail</a></p>');
  });

  const hostile = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)">',
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    "![x](javascript:alert(1))",
    '<div style="position:fixed">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "`<script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "<details open ontoggle=alert(1)>",
    "> <script>x</script>",
    "- <b onclick=1>x</b>",
    "# <img src=x onerror=1>",
    "| <script> | b |\n|---|---|\n| 1 | 2 |",
    '[a](https://x.example/"onmouseover="alert(1))',
    "<https://example.com/\"><script>>",
    "<!-- comment --><script>1</script>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "&lt;script&gt;",
    "***nested _emphasis **deep** here_ ok***",
    "<form action=javascript:alert(1)><input type=submit>",
    "[x](  javascript:alert(1)  )",
    "<object data=javascript:alert(1)>",
    "<base href=javascript:/>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "text with <p onclick=alert(1)>para</p>",
  ];

  it("never emits a tag outside Campfire's list, an attribute other than href, or a script URL, whatever the input", () => {
    const inputs = [...hostile, ...hostile.map((a, i) => `${a}\n\n${hostile[(i * 7 + 3) % hostile.length]} **${a}**`)];
    for (const input of inputs) {
      const html = renderMarkdown(input);
      const { tags, attributes } = tagsAndAttributes(html);
      for (const tag of tags) expect(ALLOWED_TAGS, `tag <${tag}> from ${JSON.stringify(input)}`).toContain(tag);
      for (const attribute of attributes) expect(attribute, `attribute from ${JSON.stringify(input)}`).toBe("href");
      expect(html).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
    }
  });

  it("returns nothing for nothing, and survives deep nesting", () => {
    expect(renderMarkdown("")).toBe("");
    expect(renderMarkdown("  \n ")).toBe("");
    expect(renderMarkdown(">".repeat(5_000) + " deep")).toContain("deep");
  });
});

describe("escapeHtml", () => {
  it("escapes the five characters that matter in HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
