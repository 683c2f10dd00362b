import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic.ts";
import { campfirePayload, type FakeCampfire, startFakeCampfire } from "../fakes/campfire.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs it with apt-get install chromium`);
if (!available)
  console.warn(
    `Skipping the console browser test: install Chromium with \`apt-get install chromium\` (Debian) to run it.`,
  );

const TOKEN = "console-e2e-token";
const KEYS = { assistant: "4-ConsoleAsst1", butler: "5-ConsoleButl1" };
const BOTS = {
  assistant: {
    name: "Assistant",
    knowledge: ["handbook"],
    memory: true,
    tasks: true,
    budget: { daily_usd: 20, monthly_usd: 300, per_person_daily_usd: 2 },
  },
  butler: {
    name: "Butler",
    tools: ["reminders"],
    digests: true,
    schedules: [{ cron: "30 8 * * 1-5", room: 1, prompt: "Write today's briefing." }],
  },
  // Without a key, and consulting a bot that does not exist: not configured, and a problem shown at the top.
  reporter: { name: "Reporter", consult: ["researcher"] },
};
const PERSON = 7;

let anthropic: FakeAnthropic;
let campfire: FakeCampfire;
let server: DevServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What the browser reported about the page: a CSP violation or a script error would show here. */
const complaints: string[] = [];
let nextMessageId = 1;
let nextRoomId = 700;
/** The room Ada subscribed to a digest of, through the bot. */
let digestRoom: number;

/** A mention delivered as Campfire delivers it, from Ada (user 7) unless said otherwise. */
function mention(roomId: number, plain: string, bot: keyof typeof KEYS = "assistant") {
  return campfire.deliver(
    `${server.url}/webhook/${bot}`,
    campfirePayload({ roomId, botKey: KEYS[bot], messageId: nextMessageId++, plain, userId: PERSON }),
  );
}

/** A mention in a room of its own, answered: each new conversation reports its first turn to the registry at once. */
async function answered(plain: string, bot: keyof typeof KEYS = "assistant") {
  const roomId = nextRoomId++;
  await mention(roomId, plain, bot);
  return { roomId, replies: await campfire.waitForMessages(roomId, 1, 20_000) };
}

const tool = (name: string, input: unknown) => `[fake:tool=${name},input=${encodeURIComponent(JSON.stringify(input))}]`;

async function admin<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

interface Usage {
  bots: Record<
    string,
    { turns: number; tokens: { input: number; output: number; cacheRead: number; cacheWrite: number } }
  >;
}

/** Opens the console in `target` and gives it the token. */
async function open(target: Page, token = TOKEN) {
  target.on("console", (message) => {
    // The wrong token's 401 and the oversized upload's 413 are provoked; any other failed load is not.
    const provoked = /status of (401|413)\b/.test(message.text());
    if ((message.type() === "error" && !provoked) || /Content.Security.Policy/i.test(message.text()))
      complaints.push(message.text());
  });
  target.on("pageerror", (error) => complaints.push(error.message));
  await target.goto(`${server.url}/admin`);
  await target.getByLabel("Admin token", { exact: true }).fill(token);
  await target.getByRole("button", { name: "Open the console" }).click();
}

/** The number a figure of the page shows ("1,234" → 1234). */
async function figure(scope: string, name: string): Promise<number> {
  const text = await page.locator(`${scope} [data-figure="${name}"]`).first().textContent();
  return Number((text ?? "").replace(/[^\d.]/g, ""));
}

const bot = (id: string) => page.locator(`#bot-${id}`);
const answerOf = (id: string) => page.locator(`[data-answer="${id}"] .answer`);

describe.skipIf(!available)("the operator's console in a real browser", () => {
  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
    campfire = await startFakeCampfire({ botKeys: Object.values(KEYS) });
    server = await startDevServer({
      CAMPFIRE_URL: campfire.url,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: "sk-ant-e2e",
      BOT_KEY_ASSISTANT: KEYS.assistant,
      BOT_KEY_BUTLER: KEYS.butler,
      BOTS: JSON.stringify(BOTS),
      ADMIN_TOKEN: TOKEN,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    page = await context.newPage();

    // Recorded traffic: answers in several rooms, a memory written by the model's tool, one failed turn.
    for (const text of ["what is on today?", "and tomorrow?", "thanks"]) await answered(`@Assistant ${text}`);
    await answered("@Butler remind me at noon", "butler");
    ({ roomId: digestRoom } = await answered(
      `@Butler a digest of this room on weekdays ${tool("subscribe_digest", { time: "09:00", days: ["mon", "tue", "wed", "thu", "fri"] })}`,
      "butler",
    ));
    await answered(
      `@Assistant remember I like short answers ${tool("memory", { command: "create", path: "/memories/preferences.md", file_text: "Likes short answers." })}`,
    );
    await answered("@Assistant this one fails [fake:status=400]");
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([anthropic?.close(), campfire?.close()]);
  });

  it("serves the page with a strict Content-Security-Policy, nosniff and no referrer", async () => {
    const response = await fetch(`${server.url}/admin`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    // uPlot comes from the Worker's own assets, copied there by the [build] command.
    const uplot = await fetch(`${server.url}/admin/vendor/uPlot.iife.min.js`);
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain("uPlot");
  });

  it("says a wrong token was refused and asks for it again", async () => {
    const other = await context.newPage();
    await open(other, "not-the-token");
    await expect
      .poll(() => other.locator("#login-error").textContent())
      .toContain("That token was refused (401 Unauthorized)");
    expect(await other.locator("#login").isVisible()).toBe(true);
    expect(await other.locator("#console").isVisible()).toBe(false);
    expect(await other.evaluate(() => sessionStorage.length)).toBe(0);
    await other.close();
  });

  it("shows the recorded traffic: the totals /metrics/usage gives, in charts of 24 hours and 14 days", async () => {
    // Each conversation told the registry of its first turn when it began.
    await expect
      .poll(async () => (await admin<Usage>("/metrics/usage")).bots.assistant!.turns, { timeout: 90_000 })
      .toBe(4);
    await open(page);
    await bot("assistant").waitFor();
    const usage = await admin<Usage>("/metrics/usage");

    for (const id of Object.keys(BOTS)) {
      const { turns, tokens } = usage.bots[id]!;
      expect(await figure(`#bot-${id}`, "turns")).toBe(turns);
      for (const kind of ["input", "output", "cacheRead", "cacheWrite"] as const)
        expect(await figure(`#bot-${id}`, kind)).toBe(tokens[kind]);
    }
    const all = Object.values(usage.bots);
    expect(await figure("#fleet", "turns")).toBe(all.reduce((sum, b) => sum + b.turns, 0));
    expect(await figure("#fleet", "input")).toBe(all.reduce((sum, b) => sum + b.tokens.input, 0));
    expect(await figure("#bot-assistant", "turns")).toBe(4);
    expect(await figure("#bot-assistant", "failures")).toBe(1);

    // Six charts a range for all bots and for each, every one drawn, with a row per hour or per day.
    for (const [range, points] of [
      ["hourly", 24],
      ["daily", 14],
    ] as const) {
      const charts = page.locator(`figure.chart[data-range="${range}"]`);
      expect(await charts.count()).toBe(6 * (1 + Object.keys(BOTS).length));
      for (const chart of await charts.all()) {
        expect(await chart.locator(".numbers tbody tr").count()).toBe(points);
        expect(await chart.locator("canvas").count()).toBe(1);
      }
    }
    // The last 24 hours hold every answer so far, and cost something.
    const answeredToday = bot("assistant").locator(
      'figure[data-chart="turns"][data-range="hourly"] [data-overall="answered"]',
    );
    expect(await answeredToday.textContent()).toBe("4");
    expect(
      await bot("assistant")
        .locator('figure[data-chart="cost"][data-range="hourly"] [data-overall="Claude"]')
        .textContent(),
    ).toMatch(/^\$0\.\d*[1-9]/);

    // A configuration problem is said at the top in words; the bot without a key is marked as not configured.
    expect(await page.locator("#alerts .alerts").textContent()).toContain('BOTS.reporter.consult: "researcher"');
    expect(await bot("reporter").locator(".badge.problem").textContent()).toBe("Not configured");
    // Capabilities, with the schedule's next run.
    expect(await bot("butler").locator(".schedules").textContent()).toMatch(/30 8 \* \* 1-5 in room 1 — next run \w/);
    expect(await bot("assistant").locator(".budget").textContent()).toContain("wrangler.toml");
    const can = (id: string) => bot(id).locator(".capabilities dl").textContent();
    expect(await can("assistant")).toMatch(/Task listsyes.*Digestsno.*Catch me upno/);
    expect(await can("butler")).toMatch(/Task listsno.*Digestsyes/);
    // The digest panel reads its list after the figures: the pictures show the subscription.
    await bot("butler").locator("tr[data-digest]").waitFor();

    await page.screenshot({ path: join(process.env.CONSOLE_SCREENSHOTS ?? server.persistDir, "console-desktop.png") });
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await open(phone);
    await phone.locator("#bot-butler tr[data-digest]").waitFor();
    await phone.screenshot({ path: join(process.env.CONSOLE_SCREENSHOTS ?? server.persistDir, "console-phone.png") });
    // At phone width nothing is wider than the screen.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.close();
  }, 150_000);

  it("pauses a bot so its next webhook is refused, and resumes it", async () => {
    await bot("assistant").getByRole("button", { name: "Pause Assistant" }).click();
    await expect.poll(() => answerOf("assistant").textContent()).toContain("Paused.");
    await expect.poll(() => page.locator("#alerts").textContent()).toContain("Assistant is paused");

    const roomId = nextRoomId++;
    expect(await mention(roomId, "@Assistant are you there?")).toMatchObject({ status: 200, outcome: "message" });
    const [refusal] = await campfire.waitForMessages(roomId, 1);
    expect(refusal!.body).toContain("Assistant is paused by an administrator");

    await bot("assistant").getByRole("button", { name: "Resume Assistant" }).click();
    await expect.poll(() => answerOf("assistant").textContent()).toContain("Resumed");
    expect(await mention(roomId, "@Assistant and now?")).toMatchObject({ status: 204 });
    const replies = await campfire.waitForMessages(roomId, 2);
    expect(replies[1]!.body).toContain("and now?");
  }, 60_000);

  it("sets a budget that overrides wrangler.toml's, and clears it", async () => {
    const form = bot("assistant").locator(".budget-form");
    await form.locator('input[name="daily_usd"]').fill("10");
    await form.getByRole("button", { name: "Set budget" }).click();
    await expect.poll(() => answerOf("assistant").textContent()).toContain("overrides wrangler.toml's");
    await expect.poll(() => bot("assistant").locator(".budget .badge.override").count()).toBe(1);
    expect(await admin<{ budget: { override: unknown } }>("/admin/bots/assistant")).toMatchObject({
      budget: { override: { daily_usd: 10 } },
    });

    await bot("assistant").getByRole("button", { name: "Clear the override" }).click();
    await expect.poll(() => answerOf("assistant").textContent()).toContain("wrangler.toml's budget applies again");
    expect(await admin<{ budget: { override: unknown } }>("/admin/bots/assistant")).toMatchObject({
      budget: { override: null },
    });
  }, 30_000);

  it("uploads Markdown by file picker and by drag and drop, shows the server's refusal, deletes a document", async () => {
    await page.getByLabel("Library", { exact: true }).fill("handbook");
    await page.getByRole("button", { name: "List documents" }).click();
    await expect.poll(() => page.locator("#library-view").textContent()).toContain("0 documents");

    await page.locator("#files").setInputFiles({
      name: "Parking.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Parking\n\nThe bike cellar's door code is 4711.\n"),
    });
    await expect.poll(() => page.locator("#knowledge-answer").textContent()).toContain("201");
    expect(await page.locator("#knowledge-answer").textContent()).toContain('Added "Parking"');
    await page.locator('tr[data-doc="parking"]').waitFor();

    const dropped = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["# Visitors\n\nVisitors sign in at the desk.\n"], "visitors.md"));
      return transfer;
    });
    await page.dispatchEvent("#drop", "drop", { dataTransfer: dropped });
    await page.locator('tr[data-doc="visitors"]').waitFor();

    // Over the limit: the server's own status and reason, as it gave them.
    await page.locator("#files").setInputFiles({
      name: "huge.md",
      mimeType: "text/markdown",
      buffer: Buffer.alloc(600 * 1024, "a"),
    });
    await expect.poll(() => page.locator("#knowledge-answer").textContent()).toContain("413");
    expect(await page.locator("#knowledge-answer").textContent()).toContain("split it into several documents");

    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Delete visitors" }).click();
    await page.locator('tr[data-doc="visitors"]').waitFor({ state: "detached" });
    expect(await page.locator("#knowledge-answer").textContent()).toContain('"deleted": true');
    const library = await admin<{ documents: { id: string }[] }>("/admin/knowledge/handbook");
    expect(library.documents.map((doc) => doc.id)).toEqual(["parking"]);
  }, 30_000);

  it("finds the uploaded document when the bot searches its library", async () => {
    anthropic.reset();
    await answered(`@Assistant where do bikes go? ${tool("search_knowledge", { query: "bike cellar door code" })}`);
    const results = anthropic.requests
      .map((request) => JSON.stringify(request.body))
      .filter((body) => body.includes("tool_result"));
    expect(results.some((body) => body.includes("4711") && body.includes("parking"))).toBe(true);
  }, 30_000);

  it("lists a digest subscribed through the bot, and ends it only after the operator confirms", async () => {
    const panel = bot("butler").locator(".digests");
    const listed = await admin<{ digests: { id: number; cron: string; timeZone: string }[] }>("/admin/digests/butler");
    expect(listed.digests).toHaveLength(1);
    const [digest] = listed.digests;
    const row = panel.locator(`tr[data-digest="${digest!.id}"]`);
    expect(await panel.textContent()).toContain("1 live of 1 kept");
    const cells = await row.locator("th, td").allTextContents();
    expect(cells.slice(0, 5)).toEqual([
      `#${digest!.id}`,
      `Ada Lovelace (#${PERSON})`,
      String(digestRoom),
      "in the room",
      `${digest!.cron} (${digest!.timeZone})`,
    ]);
    expect(cells.slice(6, 8)).toEqual(["never", "live"]);

    const end = panel.getByRole("button", { name: `End butler's digest #${digest!.id}` });
    page.once("dialog", (dialog) => dialog.dismiss());
    await end.click();
    expect(await panel.locator(".answers").textContent()).toBe("");

    page.once("dialog", (dialog) => {
      expect(dialog.message()).toContain(`Ada Lovelace's digest #${digest!.id} of room ${digestRoom}`);
      return dialog.accept();
    });
    await end.click();
    await expect.poll(() => panel.locator(".answers").textContent()).toContain("200");
    expect(await panel.locator(".answers").textContent()).toContain('"endedWhy": "admin"');
    await expect.poll(() => row.locator("td").nth(6).textContent()).toContain("ended by an operator");
    expect(await row.getByRole("button").count()).toBe(0);
    expect(await panel.textContent()).toContain("0 live of 1 kept");
    expect(await admin<{ live: number; digests: unknown[] }>("/admin/digests/butler")).toMatchObject({
      live: 0,
      digests: [{ id: digest!.id, endedWhy: "admin" }],
    });
  }, 30_000);

  it("shows what a bot remembers about a person and their task list, and erases both", async () => {
    await answered(
      `@Assistant add it to my list ${tool("tasks", { command: "add", title: "send the Q3 numbers", due: "in 3 days" })}`,
    );
    const kept = await admin<{ tasks: { id: number; title: string; due: string }[] }>(
      `/admin/memory/assistant/${PERSON}`,
    );
    expect(kept.tasks).toEqual([expect.objectContaining({ title: "send the Q3 numbers", doneAt: null })]);
    const [task] = kept.tasks;
    await page.locator("#memory-bot").selectOption("assistant");
    await page.getByLabel("Campfire user id", { exact: true }).fill(String(PERSON));
    await page.getByRole("button", { name: "Look up" }).click();
    await expect.poll(() => page.locator("#memory-view").textContent()).toContain("/memories/preferences.md");
    expect(await page.locator("#memory-view [data-task]").allTextContents()).toEqual([
      `#${task!.id} send the Q3 numbers · due ${task!.due} · open`,
    ]);

    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: `Erase everything assistant keeps about ${PERSON}` }).click();
    await expect.poll(() => page.locator("#memory-answer").textContent()).toContain("Erased 1 memory file and 1 task.");
    expect(await page.locator("#memory-answer").textContent()).toContain('"tasksErased": 1');
    await expect.poll(() => page.locator("#memory-view").textContent()).toContain("0 files");
    expect(await page.locator("#memory-view").textContent()).toContain("and 0 tasks");
    expect(await page.locator("#memory-view [data-task]").count()).toBe(0);
    expect(await page.locator("#memory-view").textContent()).not.toContain("null");
    expect(await admin<{ files: unknown[] }>(`/admin/memory/assistant/${PERSON}`)).toMatchObject({
      files: [],
      tasks: [],
    });
  }, 30_000);

  it("ends a conversation only after the operator confirms", async () => {
    const { roomId } = await answered("@Assistant a conversation to end");
    await page.locator("#session-bot").selectOption("assistant");
    await page.getByLabel("Room id", { exact: true }).fill(String(roomId));

    page.once("dialog", (dialog) => dialog.dismiss());
    await page.getByRole("button", { name: "End conversation" }).click();
    expect(await page.locator("#session-answer").textContent()).toBe("");

    page.once("dialog", (dialog) => {
      expect(dialog.message()).toContain(`room ${roomId}`);
      return dialog.accept();
    });
    await page.getByRole("button", { name: "End conversation" }).click();
    await expect.poll(() => page.locator("#session-answer").textContent()).toContain("Ended");
    expect(complaints).toEqual([]);
  }, 30_000);
});
