import { Hono } from "hono";
import { admin, metrics } from "./admin";
import { consolePage } from "./console-page";
import { health } from "./health";
import { log } from "./log";
import { playground } from "./playground/routes";
import { reject } from "./reject";
import { runSchedules } from "./scheduled";
import { webhook } from "./webhook/route";

export { BotBudget } from "./budget/budget-object";
export { BotControl } from "./control/control-object";
export { Digests } from "./digests/digests-object";
export { Library } from "./knowledge/library";
export { Memory } from "./memory/memory-object";
export { Conversation } from "./objects/conversation";
export { PlaygroundCampfire } from "./playground/campfire-store";
export { SessionRegistry } from "./registry/registry";

// Not strict: `/webhook/assistant/` is the same bot as `/webhook/assistant`.
const app = new Hono<{ Bindings: Env }>({ strict: false });

app.route("/webhook", webhook);
app.route("/metrics", metrics);
// The console's page and files first: the admin API behind them asks every request for the token.
app.route("/admin", consolePage);
app.route("/admin", admin);
app.route("/playground", playground);
app.route("/", health);
app.route("/health", health);

// Campfire posts any typed answer into the room as an attachment, so even "not found" and errors carry no Content-Type.
app.notFound((c) =>
  reject(
    404,
    `nothing here at ${JSON.stringify(new URL(c.req.url).pathname.slice(0, 80))}; a bot's webhook is POST /webhook/<bot id>`,
  ),
);

app.onError((error, c) => {
  log("error", "request.crashed", {
    path: new URL(c.req.url).pathname.slice(0, 80),
    error: error.message.slice(0, 300),
  });
  return reject(500, "internal error; see the Worker's logs");
});

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runSchedules(controller, env)),
} satisfies ExportedHandler<Env>;
