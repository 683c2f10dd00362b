/**
 * `npm run dev`: the Worker under `wrangler dev` with the local playground switched on — a small Campfire at
 * /playground whose bot API the Worker itself answers — so it runs with no Campfire, no account and no file to
 * copy. With ANTHROPIC_API_KEY in .dev.vars the bot talks to Claude; without it, to the labelled offline model.
 * The sample handbook (knowledge/handbook) is uploaded into the library "handbook" once the Worker answers, and the
 * bots' prompt files (prompts/) are bundled again whenever one changes, so wrangler reloads the Worker with them.
 * Extra arguments go to wrangler (`npm run dev -- --port 9000`). For a real Campfire, run `npx wrangler dev`.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { putDocuments } from "./knowledge-client.ts";
import { watchPrompts, writePromptModule } from "./prompts.ts";

// The local admin token: it lets this script (and you, with npm run knowledge or the console at /admin) manage the
// playground's bots and libraries.
const ADMIN_TOKEN = "playground";

const { values, tokens } = parseArgs({
  options: { port: { type: "string", default: "8787" } },
  strict: false,
  tokens: true,
});
const port = Number(values.port);
const rest = process.argv
  .slice(2)
  .filter(
    (_, index) =>
      !tokens?.some(
        (token) =>
          token.kind === "option" && token.name === "port" && (token.index === index || token.index + 1 === index),
      ),
  );

// wrangler.toml's required secrets, provided so wrangler sees them (it reads secrets from the environment, not
// from --var). The playground's bot API accepts exactly these keys; they win over any in .dev.vars or .env.
// ANTHROPIC_API_KEY stays optional: empty means "no key" (the offline model), and an empty value never hides one
// from .dev.vars or .env, since wrangler lets only non-empty environment values win.
const secrets = {
  BOT_KEY_ASSISTANT: "1-PlaygroundAs",
  BOT_KEY_BUTLER: "2-PlaygroundBu",
  BOT_KEY_REPORTER: "3-PlaygroundRe",
  ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY ?? "",
};
// With a .dev.vars, wrangler reads only that file and ignores the environment; as an env file it reads both.
const devVars = existsSync(".dev.vars") && !rest.includes("--env-file") ? ["--env-file", ".dev.vars"] : [];

writePromptModule();
watchPrompts();

const wrangler = spawn(
  "wrangler",
  [
    "dev",
    "--port",
    String(port),
    "--var",
    "PLAYGROUND:on",
    "--var",
    `CAMPFIRE_URL:http://127.0.0.1:${port}/playground/campfire`,
    "--var",
    `ADMIN_TOKEN:${ADMIN_TOKEN}`,
    ...devVars,
    ...rest,
  ],
  { stdio: "inherit", env: { ...process.env, ...secrets } },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => wrangler.kill(signal));
wrangler.on("exit", (code) => process.exit(code ?? 0));

// Once the Worker answers: fill the sample library, and say where to look.
for (let tries = 0; tries < 300; tries++) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const up = await fetch(`http://127.0.0.1:${port}/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (up) {
    const handbook = new URL("../knowledge/handbook", import.meta.url).pathname;
    await putDocuments({ url: `http://127.0.0.1:${port}`, token: ADMIN_TOKEN }, "handbook", handbook);
    console.log(`\n  Playground: http://localhost:${port}/playground`);
    console.log(`  Console:    http://localhost:${port}/admin  (admin token: ${ADMIN_TOKEN})\n`);
    break;
  }
}
