import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { ADMIN_TOKEN } from "./helpers";

const PAGE_FILES = ["/admin", "/admin/", "/admin/console.css", "/admin/console.js"];

/** The whole Worker, as deployed, with env changed: the test pool's worker has ADMIN_TOKEN set. */
async function fetchWith(changed: Partial<Env> & { ADMIN_TOKEN?: string }, path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`https://bot.example${path}`), { ...env, ...changed }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const get = (path: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(`https://bot.example${path}`, { headers });

describe("the operator's console page", () => {
  it.each([...PAGE_FILES, "/admin/vendor/uPlot.iife.min.js", "/admin/console"])(
    "%s answers 404 when ADMIN_TOKEN is not set, like every admin endpoint",
    async (path) => {
      const response = await fetchWith({ ADMIN_TOKEN: undefined }, path);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBeNull();
    },
  );

  it.each(PAGE_FILES)("%s is served without the token, with a strict Content-Security-Policy", async (path) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("is one HTML page with no inline script or style, loading only the Worker's own files", async () => {
    const response = await get("/admin");
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<script src="/admin/console.js"');
    // Every script has a src, there is no <style> element, no style="" and no on…="" handler.
    expect(html.match(/<script\b[^>]*>/g)?.every((tag) => / src="\/admin\//.test(tag))).toBe(true);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(loaded.length).toBeGreaterThanOrEqual(4);
    // The Worker's own files, or nothing to fetch at all (the icon is an empty data: URL).
    for (const url of loaded) expect(url).toMatch(/^(\/admin\/|data:,$)/);
    expect(await (await get("/admin/console.css")).text()).toContain(".chart");
    expect((await get("/admin/console.js")).headers.get("content-type")).toMatch(/javascript/);
  });

  it("answers a revalidation with 304, so a reload costs no download", async () => {
    const etag = (await get("/admin/console.js")).headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await get("/admin/console.js", { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(again.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("leaves the JSON endpoints under /admin behind the token, and answers 404 for files it does not have", async () => {
    expect((await get("/admin/bots/assistant")).status).toBe(401);
    expect((await get("/admin/index.html")).status).toBe(401);
    const bot = await get("/admin/bots/assistant", { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(bot.status).toBe(200);
    expect(await bot.json()).toMatchObject({ bot: "assistant" });
    expect((await get("/admin/vendor/missing.js")).status).toBe(404);
  });
});
