/**
 * Runs the fake Anthropic API and the fake Campfire until interrupted, for trying the Worker by hand or
 * benchmarking it: `node test/fakes/run.ts [--anthropic-port N] [--campfire-port N] [--legacy]`.
 * Prints one JSON line with both URLs.
 */
import { parseArgs } from "node:util";
import { startFakeAnthropic } from "./anthropic.ts";
import { startFakeCampfire } from "./campfire.ts";

const { values } = parseArgs({
  options: {
    "anthropic-port": { type: "string", default: "0" },
    "campfire-port": { type: "string", default: "0" },
    legacy: { type: "boolean", default: false },
  },
});

const anthropic = await startFakeAnthropic({ port: Number(values["anthropic-port"]) });
const campfire = await startFakeCampfire({ port: Number(values["campfire-port"]), legacy: values.legacy });
console.log(JSON.stringify({ anthropic: anthropic.url, campfire: campfire.url }));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await Promise.all([anthropic.close(), campfire.close()]);
    process.exit(0);
  });
}
