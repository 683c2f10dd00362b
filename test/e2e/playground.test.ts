import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "./dev-server.ts";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs it with apt-get install chromium`);
if (!available)
  console.warn(
    `Skipping the playground browser test: install Chromium with \`apt-get install chromium\` (Debian) to run it.`,
  );

let server: DevServer;
let browser: Browser;
let page: Page;

/** Sends a message from the composer, as a person, and waits until the room shows it. */
async function send(text: string) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator(".message:not(.bot) .body", { hasText: text }).last().waitFor();
}

/** Sends a message and waits for the bot's finished answer that contains `expected`. */
async function say(text: string, expected: string) {
  await send(text);
  await page.locator(".message.bot .body", { hasText: expected }).waitFor({ timeout: 20_000 });
}

/** The playground's Campfire bot API, as the Assistant bot calls it. */
const botApi = (room: number, path = "") =>
  `${server.url}/playground/campfire/rooms/${room}/1-PlaygroundAs/messages${path}`;

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
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
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
    // Shown once the page has read /api/config: waited for, not checked the instant the page loads.
    await page.locator("#offline").waitFor({ state: "visible", timeout: 10_000 });
    await say("@Assistant hello there", "You said: hello there. I remember 0 earlier messages");
    // Rendered as HTML, not Markdown: the label is bold.
    expect(await page.locator(".message.bot .body strong", { hasText: "Offline model" }).first().isVisible()).toBe(
      true,
    );

    // A shared room, as in Campfire: a message that does not @mention the bot never reaches it.
    expect(await page.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).toContain("@Assistant");
    await send("lunch at noon, anyone?");
    // Had it reached the bot, this answer would count 2 earlier messages.
    await say("and again @assistant", "You said: and again. I remember 1 earlier message in");
    expect(await page.locator(".message.bot").count()).toBe(2);
    await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT ?? `${server.persistDir}/playground.png` });

    await page.getByRole("listitem").filter({ hasText: "# Lab" }).click();
    await say("@Assistant a new room", "I remember 0 earlier messages");
  }, 60_000);

  it("answers every message in a direct room, no mention needed", async () => {
    await page.getByRole("listitem").filter({ hasText: "# Direct: Ada" }).click();
    expect(await page.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).toContain("every message");
    const webhook = page.waitForRequest((request) => request.url().includes("/webhook/"));
    await say("no mention needed here", "You said: no mention needed here. I remember 0 earlier messages");
    // As Campfire sends it: a direct room has no name.
    expect((await webhook).postDataJSON()).toMatchObject({ room: { id: 107, name: null } });
  }, 60_000);

  it("counts down the conversation's TTL and marks it forgotten when the alarm evicts it", async () => {
    // The playground says what a person would; with this 8 s TTL that is seconds ("23 h 59 min" for a day).
    expect(await page.locator("#ttl").textContent()).toMatch(
      /forgotten in \d+ h \d+ min|forgotten in \d+ min|forgotten in \d+ s/,
    );
    expect(await page.locator("#ttl").textContent()).toMatch(/forgotten in [1-8] s$/);
    await page.getByText("— conversation forgotten —").waitFor({ timeout: 20_000 });
    expect(await page.locator("#ttl").textContent()).toBe("No conversation yet");
  }, 30_000);

  it("shows the bot's boosts under a message until removed, and its files as chips with a download", async () => {
    // In the direct room the last test left open: the person's message there is the one to boost.
    const messages = (await (await fetch(botApi(107))).json()) as { id: number; creator: { role: string } }[];
    const personal = messages.find((message) => message.creator.role === "member")!;

    expect((await fetch(botApi(107, `/${personal.id}/boosts`), { method: "POST", body: " " })).status).toBe(422);
    const boosted = await fetch(botApi(107, `/${personal.id}/boosts`), { method: "POST", body: "👀" });
    expect(boosted.status).toBe(201);
    const boost = (await boosted.json()) as { id: number; content: string };
    expect(boost.content).toBe("👀");
    const chip = page.locator(`#m${personal.id} .boost`, { hasText: "👀" });
    await chip.waitFor();
    expect((await fetch(botApi(107, `/${personal.id}/boosts/${boost.id}`), { method: "DELETE" })).status).toBe(204);
    await chip.waitFor({ state: "detached" });

    const csv = "name,days\nAda,3\n";
    const small = new FormData();
    small.append("attachment", new File([csv], "leave.csv", { type: "text/csv" }));
    const posted = await fetch(botApi(107), { method: "POST", body: small });
    expect(posted.status).toBe(201);
    const link = page.locator("a.chip.file", { hasText: "leave.csv · 16 bytes" });
    await link.waitFor();
    const download = await fetch(new URL((await link.getAttribute("href"))!, server.url));
    expect(download.headers.get("content-type")).toBe("text/csv");
    expect(await download.text()).toBe(csv);

    // Over 1 MB the playground shows the file but keeps no bytes: a chip without a link.
    const big = new FormData();
    big.append("attachment", new File([new Uint8Array(1_572_864)], "scan.pdf", { type: "application/pdf" }));
    expect((await fetch(botApi(107), { method: "POST", body: big })).status).toBe(201);
    await page.locator("span.chip.file", { hasText: "scan.pdf · 1.5 MB" }).waitFor();
  }, 30_000);

  it("catches a person up without a key: the offline model reads the room since their last message and links each one", async () => {
    await page.getByRole("listitem").filter({ hasText: "# Watercooler" }).click();
    await send("lunch is ready");
    await page.getByLabel("You are").selectOption({ label: "Grace Hopper" });
    await send("the review moved to Friday 10:00");
    await page.getByLabel("You are").selectOption({ label: "Ada Lovelace" });
    await say("@Assistant catch me up", "the review moved to Friday 10:00");

    const answer = page.locator(".message.bot .body", { hasText: "What room_history read" }).last();
    expect(await answer.textContent()).toContain("Offline model");
    const room = (await (await fetch(botApi(1))).json()) as { id: number; body: { plain_text: string } }[];
    const ids = (text: string) =>
      room.filter((message) => message.body.plain_text === text).map((message) => message.id);
    // Grace's message, after Ada's last one, is linked; Ada's own last message is named as where the span starts.
    const [graces] = ids("the review moved to Friday 10:00");
    const [adas] = ids("lunch is ready");
    expect(await answer.locator(`a[href$="/rooms/1/@${graces}"]`).count()).toBe(1);
    expect(await answer.textContent()).toContain(`Ada Lovelace's last message here was ${adas}`);
  }, 60_000);

  it("keeps a person's task list without a key: added in one room, read back in another through the tasks tool", async () => {
    await page.getByRole("listitem").filter({ hasText: "# Lab" }).click();
    await say("@Assistant add 'send the Q3 numbers' to my list", "open task.");
    const added = await page.locator(".message.bot .body", { hasText: "Added #" }).last().textContent();
    const id = /Added #(\d+) to Ada Lovelace's list: send the Q3 numbers\./.exec(added ?? "")?.[1];
    expect(id, `the answer in Lab was: ${added}`).toBeDefined();

    await page.getByRole("listitem").filter({ hasText: "# Watercooler" }).click();
    await say("@Assistant what's on my list?", "send the Q3 numbers");
    const listed = page.locator(".message.bot .body", { hasText: "The task list says" }).last();
    expect(await listed.textContent()).toContain("Offline model");
    expect(await listed.locator("blockquote").textContent()).toContain(`#${id} send the Q3 numbers`);
  }, 60_000);
});
