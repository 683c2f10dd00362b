import { Hono } from "hono";
import { admin, metrics } from "./admin";
import { health } from "./health";
import { log } from "./log";
import { playground } from "./playground/routes";
import { reject } from "./reject";
import { runSchedules } from "./scheduled";
import { webhook } from "./webhook/route";

export { Conversation } from "./conversation/conversation";
export { Library } from "./knowledge/library";
export { PlaygroundCampfire } from "./playground/campfire-store";
export { SessionRegistry } from "./registry/registry";

const app = new Hono<{ Bindings: Env }>();

app.route("/webhook", webhook);
app.route("/metrics", metrics);
app.route("/admin", admin);
app.route("/playground", playground);
app.route("/", health);
app.route("/health", health);

app.onError((error, c) => {
  log("error", "request.crashed", { path: new URL(c.req.url).pathname, error: error.message });
  return reject(500, "internal error; see the Worker's logs");
});

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runSchedules(controller, env)),
} satisfies ExportedHandler<Env>;
