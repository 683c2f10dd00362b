import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "./dev-server.ts";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it with apt-get install chromium`);
if (!available) console.warn(`Skipping the playground browser test: install Chromium with \`apt-get install chromium\` (Debian) to run it.`);

let server: DevServer;
let browser: Browser;
let page: Page;

/** Sends a message from the composer and waits for the bot's finished answer that contains `expected`. */
async function say(text: string, expected: string) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator(".message.bot .body", { hasText: expected }).waitFor({ timeout: 20_000 });
}

describe.skipIf(!available)("the playground in a real browser", () => {
  beforeAll(async () => {
    // The same switches `npm run dev` sets, on a free port, with no Anthropic key: the offline model answers.
    server = await startDevServer((url) => ({
      PLAYGROUND: "on",
      CAMPFIRE_URL: `${url}/playground/campfire`,
      BOT_KEY_ASSISTANT: "1-PlaygroundAs",
      BOT_KEY_BUTLER: "2-PlaygroundBu",
      ANTHROPIC_API_KEY: "",
      SESSION_TTL: "8s",
    }));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    await page.goto(`${server.url}/playground`);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("answers through the real webhook path, renders HTML, remembers within a room and not across rooms", async () => {
    // Without a key the page says the model is offline and how to add one.
    expect(await page.locator("#offline").isVisible()).toBe(true);
    await say("hello there", "I remember 0 earlier messages");
    // Rendered as HTML, not Markdown: the label is bold.
    expect(await page.locator(".message.bot .body strong", { hasText: "Offline model" }).first().isVisible()).toBe(true);

    await say("and again", "I remember 1 earlier message");
    await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT ?? `${server.persistDir}/playground.png` });

    await page.getByRole("listitem").filter({ hasText: "# Lab" }).click();
    await say("a new room", "I remember 0 earlier messages");
  }, 60_000);

  it("counts down the conversation's TTL and marks it forgotten when the alarm evicts it", async () => {
    expect(await page.locator("#ttl").textContent()).toMatch(/forgotten in \d+ s/);
    await page.getByText("— conversation forgotten —").waitFor({ timeout: 20_000 });
    expect(await page.locator("#ttl").textContent()).toBe("No conversation yet");
  }, 30_000);
});
