import { describe, expect, it } from "vitest";
import { escapeHtml, renderMarkdown } from "../../src/campfire/render";

const ALLOWED_TAGS = ["p", "br", "strong", "em", "a", "ul", "ol", "li", "pre", "code", "blockquote", "h1"];
// Every `<` in the output must open one of these exact shapes: a bare allowed tag, or an `a` with only an
// http(s)/mailto href. All text `<` is escaped, so anything else is markup that should not be there.
const WELL_FORMED_TAG = new RegExp(`^(</?(${ALLOWED_TAGS.join("|")})>|<a href="(https?://|mailto:)[^"<>]*">)$`);

/** Holds output to what Campfire renders and to nothing that can run. */
function expectOnlySafeMarkup(html: string, input: string): void {
  const context = `from ${JSON.stringify(input)}: ${html}`;
  for (const [, name] of html.matchAll(/<\/?([a-z0-9]+)/gi)) expect(ALLOWED_TAGS, context).toContain(name);
  for (const tag of html.match(/<[^>]*>?/g) ?? []) expect(tag, context).toMatch(WELL_FORMED_TAG);
  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    for (const [, attribute] of tag.matchAll(/\s([^\s=]+)=/g)) expect(attribute, context).toBe("href");
  }
}

describe("renderMarkdown: everyday Markdown", () => {
  it("renders emphasis, code and line breaks", () => {
    expect(renderMarkdown("Hello **bold**, __bold__, *em*, _em_ and `code`")).toBe(
      "<p>Hello <strong>bold</strong>, <strong>bold</strong>, <em>em</em>, <em>em</em> and <code>code</code></p>",
    );
    expect(renderMarkdown("line one\nline two\n\nnext paragraph")).toBe(
      "<p>line one<br>line two</p>\n<p>next paragraph</p>",
    );
  });

  it("renders lists, nested lists and task lists", () => {
    expect(renderMarkdown("- one\n- two")).toBe("<ul>\n<li>one</li>\n<li>two</li>\n</ul>");
    expect(renderMarkdown("1. one\n2. two")).toBe("<ol>\n<li>one</li>\n<li>two</li>\n</ol>");
    expect(renderMarkdown("- outer\n  - inner")).toBe("<ul>\n<li>outer<ul>\n<li>inner</li>\n</ul></li>\n</ul>");
    expect(renderMarkdown("- [x] done\n- [ ] todo")).toBe("<ul>\n<li>☑ done</li>\n<li>☐ todo</li>\n</ul>");
    // In a loose list the box stays on the same line as its text.
    expect(renderMarkdown("- [x] done\n\n- [ ] todo")).toBe(
      "<ul>\n<li><p>☑ done</p></li>\n<li><p>☐ todo</p></li>\n</ul>",
    );
  });

  it("renders blockquotes, with Markdown inside", () => {
    expect(renderMarkdown("> quoted **text**\n> - item")).toBe(
      "<blockquote>\n<p>quoted <strong>text</strong></p>\n<ul>\n<li>item</li>\n</ul>\n</blockquote>",
    );
  });

  it("maps a level-1 heading to h1 and the others to bold paragraphs", () => {
    expect(renderMarkdown("# Title")).toBe("<h1>Title</h1>");
    expect(renderMarkdown("Title\n=====")).toBe("<h1>Title</h1>");
    for (const hashes of ["##", "###", "####", "#####", "######"]) {
      expect(renderMarkdown(`${hashes} Section *one*`)).toBe("<p><strong>Section <em>one</em></strong></p>");
    }
  });

  it("keeps code blocks verbatim: escaped, not Markdown-processed, language dropped", () => {
    const html = renderMarkdown(
      "```ts\nconst a = 1 < 2 && **not bold**;\n[x](javascript:alert(1)) &amp;\n<b>x</b>\n\n```",
    );
    expect(html).toBe(
      "<pre><code>const a = 1 &lt; 2 &amp;&amp; **not bold**;\n[x](javascript:alert(1)) &amp;amp;\n&lt;b&gt;x&lt;/b&gt;</code></pre>",
    );
    expect(renderMarkdown("text\n\n    indented <code>\n    block")).toBe(
      "<p>text</p>\n<pre><code>indented &lt;code&gt;\nblock</code></pre>",
    );
    expect(renderMarkdown("`a <b> *c*`")).toBe("<p><code>a &lt;b&gt; *c*</code></p>");
  });

  it("shows tables as padded columns in a pre block", () => {
    expect(renderMarkdown("| name | n |\n|:--|--:|\n| ada | 1 |\n| grace | 10 |")).toBe(
      "<pre>name  | n\n------|---\nada   | 1\ngrace | 10</pre>",
    );
    expect(renderMarkdown("| a<b> | b |\n|---|---|\n| **1** | 2 |")).toBe(
      "<pre>a&lt;b&gt;  | b\n------|--\n**1** | 2</pre>",
    );
  });

  it("shows images as links labelled with their alt text", () => {
    expect(renderMarkdown("![a cat](https://img.example/cat.png)")).toBe(
      '<p><a href="https://img.example/cat.png">a cat</a></p>',
    );
    expect(renderMarkdown("![](https://img.example/cat.png)")).toBe(
      '<p><a href="https://img.example/cat.png">https://img.example/cat.png</a></p>',
    );
  });

  it("keeps strikethrough text between tildes and turns rules into a dash line", () => {
    expect(renderMarkdown("~~gone~~ stays")).toBe("<p>~gone~ stays</p>");
    expect(renderMarkdown("above\n\n---\n\nbelow")).toBe("<p>above</p>\n<p>———</p>\n<p>below</p>");
  });

  it("escapes text, yet shows character references as the characters they stand for", () => {
    expect(renderMarkdown(`He said "hi" & 'bye' <3`)).toBe("<p>He said &quot;hi&quot; &amp; &#39;bye&#39; &lt;3</p>");
    expect(renderMarkdown("AT&T &amp; &copy; &#169; &lt;b&gt;")).toBe("<p>AT&amp;T &amp; &copy; © &lt;b&gt;</p>");
    expect(renderMarkdown("\\&amp; \\*not em\\*")).toBe("<p>&amp;amp; *not em*</p>");
  });
});

describe("renderMarkdown: links", () => {
  it("keeps http, https and mailto links, with the href attribute-escaped", () => {
    expect(renderMarkdown("[docs](https://example.com/a?b=1&c=2)")).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2">docs</a></p>',
    );
    expect(renderMarkdown("[it](http://example.com/it's)")).toBe('<p><a href="http://example.com/it&#39;s">it</a></p>');
    expect(renderMarkdown("[mail](mailto:ada@example.com)")).toBe('<p><a href="mailto:ada@example.com">mail</a></p>');
    expect(renderMarkdown("[**bold** link](HTTPS://EXAMPLE.COM)")).toBe(
      '<p><a href="https://example.com/"><strong>bold</strong> link</a></p>',
    );
    // The title has nowhere to go: only href is allowed.
    expect(renderMarkdown('[t](https://example.com "a title")')).toBe('<p><a href="https://example.com/">t</a></p>');
  });

  it("turns autolinks, bare URLs and e-mail addresses into links", () => {
    expect(renderMarkdown("see https://example.com now")).toBe(
      '<p>see <a href="https://example.com/">https://example.com</a> now</p>',
    );
    expect(renderMarkdown('<https://example.com/?q="x"&y>')).toBe(
      '<p><a href="https://example.com/?q=%22x%22&amp;y">https://example.com/?q=&quot;x&quot;&amp;y</a></p>',
    );
    expect(renderMarkdown("www.example.com or ada@example.com")).toBe(
      '<p><a href="http://www.example.com/">www.example.com</a> or <a href="mailto:ada@example.com">ada@example.com</a></p>',
    );
  });

  it.each([
    ["javascript:", "[x](javascript:alert(1))"],
    ["upper-case scheme", "[x](JAVASCRIPT:alert(1))"],
    ["mixed-case scheme", "[x](JaVaScRiPt:alert(1))"],
    ["tab inside the scheme", "[x](<java\tscript:alert(1)>)"],
    ["entity tab inside the scheme", "[x](java&#09;script:alert(1))"],
    ["entity-encoded letter", "[x](&#106;avascript:alert(1))"],
    ["control character before the scheme", "[x](<\u0001javascript:alert(1)>)"],
    ["angle-bracket destination with spaces", "[x](< javascript:alert(1) >)"],
    ["data: URL", "[x](data:text/html,<script>alert(1)</script>)"],
    ["vbscript:", "[x](vbscript:msgbox)"],
    ["file:", "[x](file:///etc/passwd)"],
    ["relative path", "[x](/relative/path)"],
    ["protocol-relative", "[x](//evil.example/)"],
    ["reference link", "[x][r]\n\n[r]: javascript:alert(1)"],
    ["image", "![x](javascript:alert(1))"],
  ])("renders a link with a %s target as its text alone", (_, input) => {
    expect(renderMarkdown(input)).toBe("<p>x</p>");
  });
});

describe("renderMarkdown: Campfire message permalinks", () => {
  const campfireUrl = "https://chat.example.com";

  it("makes a permalink written relative clickable on the Campfire URL", () => {
    expect(renderMarkdown("see [your question](/rooms/3/@1234)", { campfireUrl })).toBe(
      '<p>see <a href="https://chat.example.com/rooms/3/@1234">your question</a></p>',
    );
    expect(renderMarkdown("[it](/rooms/3/@1234)", { campfireUrl: "https://chat.example.com/" })).toBe(
      '<p><a href="https://chat.example.com/rooms/3/@1234">it</a></p>',
    );
  });

  it("keeps absolute links to the same Campfire as they are", () => {
    expect(renderMarkdown("https://chat.example.com/rooms/3/@1234", { campfireUrl })).toBe(
      '<p><a href="https://chat.example.com/rooms/3/@1234">https://chat.example.com/rooms/3/@1234</a></p>',
    );
    expect(renderMarkdown("[earlier](https://chat.example.com/rooms/3/@99)", { campfireUrl })).toBe(
      '<p><a href="https://chat.example.com/rooms/3/@99">earlier</a></p>',
    );
  });

  it.each([
    ["another relative path", "[x](/relative/path)"],
    ["the bot-API path", "[x](/rooms/3/4-GZfqGLxdULBM/messages)"],
    ["a permalink with more after it", "[x](/rooms/3/@1234/../../admin)"],
    ["a protocol-relative look-alike", "[x](//evil.example/rooms/3/@1234)"],
    ["a scheme dressed as a room", "[x](javascript:/rooms/3/@1234)"],
  ])("still shows %s as text only", (_, input) => {
    expect(renderMarkdown(input, { campfireUrl })).toBe("<p>x</p>");
  });

  it("leaves relative permalinks as text without a Campfire URL, also when mapped over parts", () => {
    expect(renderMarkdown("[x](/rooms/3/@1234)")).toBe("<p>x</p>");
    expect(["[x](/rooms/3/@1234)", "**y**"].map(renderMarkdown)).toEqual(["<p>x</p>", "<p><strong>y</strong></p>"]);
  });
});

describe("renderMarkdown: raw HTML from the model is shown, never run", () => {
  it.each([
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    ['hi <img src=x onerror="alert(1)"> there', "hi &lt;img src=x onerror=&quot;alert(1)&quot;&gt; there"],
    [
      '<iframe src="https://evil.example"></iframe>',
      "&lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;",
    ],
    ['<a href="javascript:alert(1)">x</a>', "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;"],
    ['say <b onclick="alert(1)">hi</b>', "say &lt;b onclick=&quot;alert(1)&quot;&gt;hi&lt;/b&gt;"],
    ['<div style="position:fixed">x</div>', "&lt;div style=&quot;position:fixed&quot;&gt;x&lt;/div&gt;"],
    ["a <script>b</script> *c*", "a &lt;script&gt;b&lt;/script&gt; <em>c</em>"],
  ])("%s", (input, visible) => {
    const html = renderMarkdown(input);
    expect(html).toContain(visible);
    expect(html).not.toMatch(/<(script|img|iframe|div|b)[\s>]/i);
    expect(html).not.toMatch(/<a[\s>]/);
    expectOnlySafeMarkup(html, input);
  });

  it("keeps the lines of a raw HTML block apart", () => {
    expect(renderMarkdown("<div>\n  line\n</div>")).toBe("<p>&lt;div&gt;<br>  line<br>&lt;/div&gt;</p>");
  });
});

describe("renderMarkdown: whatever the input", () => {
  const hostile = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)">',
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://ok.example/a.png)',
    '<div style="position:fixed">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "`<script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "<details open ontoggle=alert(1)>",
    "> <script>x</script>",
    "- <b onclick=1>x</b>",
    "# <img src=x onerror=1>",
    "| <script> | b |\n|---|---|\n| 1 | <iframe> |",
    '[a](https://x.example/"onmouseover="alert(1))',
    '<https://example.com/"><script>>',
    "<javascript:alert(1)>",
    "<!-- comment --><script>1</script>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "&lt;script&gt; &#60;script&#62; &#x3C;script&#x3E;",
    "***nested _emphasis **deep** here_ ok***",
    "<form action=javascript:alert(1)><input type=submit>",
    "[x](  javascript:alert(1)  )",
    "<object data=javascript:alert(1)>",
    "<pre><code>x</code></pre> after <pre> *y*",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "text with <p onclick=alert(1)>para</p>",
    "[x][r]\n\n[r]: javascript:alert(1) 'title'",
    "- [x] <script>done</script>",
    "~~<s>x</s>~~",
  ];
  const joiners = [
    "",
    " ",
    "\n",
    "\n\n",
    "\n> ",
    "\n- ",
    "\n1. ",
    "**",
    "_",
    "`",
    "[",
    "](",
    ")",
    "|",
    "\n```\n",
    "<",
    "&",
    "\n    ",
  ];

  /** A small seeded generator, so every run tries the same combinations. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("emits only allowed tags, no attribute but an http(s)/mailto href, for hostile snippets and their combinations", () => {
    const next = random(20260101);
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
    const combinations = Array.from({ length: 500 }, () =>
      Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(hostile) + pick(joiners)).join(""),
    );
    for (const input of [...hostile, ...combinations]) {
      const html = renderMarkdown(input);
      expectOnlySafeMarkup(html, input);
      expect(html, input).not.toMatch(/<(script|iframe|img|svg|style|object|form|input|meta|math|details)/i);
    }
  });

  it("never throws and stays within the allowlist on garbage and deep nesting", () => {
    const next = random(7);
    const alphabet = "<>&\"'`*_~[]()!#|\\-=:/ \n\tax1\u0000\u00a0\ud800é😀";
    const garbage = Array.from({ length: 200 }, () =>
      Array.from({ length: Math.floor(next() * 200) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""),
    );
    const deep = [
      ">".repeat(5_000) + " deep",
      Array.from({ length: 200 }, (_, i) => "  ".repeat(i) + "- deep").join("\n"),
      "[".repeat(20_000) + "deep",
      "*a".repeat(10_000) + "deep",
      "<div>".repeat(10_000) + "deep",
      "deep" + "`".repeat(10_000),
    ];
    for (const input of [...garbage, ...deep]) {
      const html = renderMarkdown(input);
      expectOnlySafeMarkup(html, input);
      if (input.trim()) expect(html).not.toBe("");
    }
    for (const input of deep) expect(renderMarkdown(input)).toContain("deep");
  });

  it("is deterministic", () => {
    const input = hostile.join("\n\n");
    expect(renderMarkdown(input)).toBe(renderMarkdown(input));
  });

  it("returns nothing for nothing, without whitespace around the output", () => {
    expect(renderMarkdown("")).toBe("");
    expect(renderMarkdown("  \n\t ")).toBe("");
    expect(renderMarkdown("\n\n# hello\n\n- there\n\n")).toBe("<h1>hello</h1>\n<ul>\n<li>there</li>\n</ul>");
  });

  it("still shows an answer that renders to nothing visible, as its text", () => {
    expect(renderMarkdown("[ref]: https://example.com")).toBe("<p>[ref]: https://example.com</p>");
  });
});

describe("escapeHtml", () => {
  it("escapes the five characters that matter in HTML, entities included", () => {
    expect(escapeHtml(`<a href="x">'&amp;'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;amp;&#39;&lt;/a&gt;");
    expect(escapeHtml("")).toBe("");
  });
});
