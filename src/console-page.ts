import { type Context, Hono } from "hono";
import { loadConfig } from "./config";

type AppEnv = { Bindings: Env };

/**
 * The page may load only its own files and talk only to its own Worker: no inline script or style, no other
 * origin, no framing (so no other site can overlay it), no forms or base URL to redirect.
 */
export const CONSOLE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

/**
 * The operator's console, from the Worker's static assets (public/admin/): the page at /admin, its stylesheet,
 * script and uPlot. Like every admin endpoint it exists only when ADMIN_TOKEN is set; the files themselves hold no
 * figures, so they are served without the token, and the page sends it to the JSON endpoints it reads.
 */
export const consolePage = new Hono<AppEnv>();

async function serve(c: Context<AppEnv>, path: string): Promise<Response> {
  if (!loadConfig(c.env).adminToken) return c.notFound();
  // The browser's own headers go along, so a revalidation gets 304 Not Modified.
  const file = await c.env.ASSETS.fetch(new Request(new URL(path, c.req.url), { headers: c.req.raw.headers }));
  if (file.status === 404) return c.notFound();
  const response = new Response(file.body, file);
  for (const [name, value] of Object.entries(CONSOLE_PAGE_HEADERS)) response.headers.set(name, value);
  return response;
}

consolePage.get("/", (c) => serve(c, "/admin/index.html"));
consolePage.get("/console.css", (c) => serve(c, "/admin/console.css"));
consolePage.get("/console.js", (c) => serve(c, "/admin/console.js"));
consolePage.get("/vendor/:file", (c) => serve(c, `/admin/vendor/${c.req.param("file")}`));
