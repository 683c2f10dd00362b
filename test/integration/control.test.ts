import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONTROL_CACHE_MS, controlOf } from "../../src/control/status";
import { PAUSE_POLL_MS } from "../../src/conversation/schedule";
import worker from "../../src/index";
import {
  ADMIN_TOKEN,
  alarmAt,
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  pendingWork,
  postWebhook,
  TEST_KEYS,
  userTables,
} from "./helpers";

const PAUSED = "Assistant is paused by an administrator; try again later.";

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(`https://bot.example/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

const paused = new Set<string>();
async function pause(bot: string) {
  const response = await admin("POST", `/bots/${bot}/pause`);
  expect(response.status).toBe(200);
  paused.add(bot);
  return response.json() as Promise<{ paused: boolean; changed: boolean; pausedSince: string | null; note: string }>;
}
async function resume(bot: string) {
  const response = await admin("POST", `/bots/${bot}/resume`);
  expect(response.status).toBe(200);
  paused.delete(bot);
  return response.json() as Promise<{ paused: boolean; changed: boolean }>;
}

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  // Every test leaves its bots running, for the next test and for this isolate's cached status.
  for (const bot of [...paused]) await resume(bot);
});

const calling = (tool: string, input: unknown, id: string) =>
  `[fake:tool=${tool},input=${encodeURIComponent(JSON.stringify(input))},id=${id}]`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the pause switch", () => {
  it("makes a paused bot answer every webhook with one sentence, touching no conversation, no model, no storage; resumed, it answers again", async () => {
    const roomId = newRoomId();
    const marker = `hush${roomId}`;
    const paused = await pause("assistant");
    expect(paused).toMatchObject({ paused: true, changed: true });
    expect(paused.note).toContain(
      `Within ${CONTROL_CACHE_MS / 1000} s every message to Assistant is answered "${PAUSED}"`,
    );

    for (const text of [`${marker} what's the plan?`, ""]) {
      const response = await postWebhook(campfirePayload({ roomId, text }));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
      expect(await response.text()).toBe(PAUSED);
    }
    // Someone without the key learns nothing, not even that the bot is paused.
    const stranger = await postWebhook(campfirePayload({ roomId, text: marker, key: "1-WrongKey0000" }));
    expect(stranger.status).toBe(401);
    expect(await stranger.text()).not.toContain("paused");

    await sleep(200);
    expect(await fakeAnthropic.requestsMentioning(marker)).toEqual([]);
    expect(await fakeCampfire.messages(roomId)).toEqual([]);
    expect(await userTables(roomId)).toEqual([]);

    expect(await resume("assistant")).toMatchObject({ paused: false, changed: true });
    expect((await postWebhook(campfirePayload({ roomId, text: `${marker} again` }))).status).toBe(204);
    const [answer] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(answer!.body).toContain(`${marker} again`);
  });

  it("is kept in storage: a fresh instance of the control object, and an isolate whose cache ran out, still see the bot paused", async () => {
    const roomId = newRoomId();
    const { pausedSince } = await pause("assistant");
    const control = controlOf(env, "assistant");
    await runInDurableObject(control, (_, state) => state.abort("evicted by the test")).catch(() => {});
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + CONTROL_CACHE_MS });

    const response = await postWebhook(campfirePayload({ roomId, text: `fresh${roomId}` }));
    expect(await response.text()).toBe(PAUSED);
    const shown = (await (await admin("GET", "/bots/assistant")).json()) as {
      paused: boolean;
      pausedSince: string;
      pausedBy: string;
    };
    expect(shown).toMatchObject({ paused: true, pausedSince, pausedBy: "admin" });
  });

  it("lets a turn already running finish, and tells a message that waited behind it that the bot is paused, without asking the model", async () => {
    const roomId = newRoomId();
    const marker = `mid${roomId}`;
    expect(
      (await postWebhook(campfirePayload({ roomId, text: `${marker}-first [fake:delay=1500,id=${marker}]` }))).status,
    ).toBe(204);
    await expect.poll(() => fakeAnthropic.requestsMentioning(`${marker}-first`), { timeout: 5_000 }).toHaveLength(1);
    expect(
      (await postWebhook(campfirePayload({ roomId, text: `${marker}-second`, userName: "Grace Hopper" }))).status,
    ).toBe(204);
    await pause("assistant");

    const [answer, told] = await fakeCampfire.waitForMessages(roomId, 2);
    expect(answer!.body).toContain(`${marker}-first`);
    expect(told!.body).toBe(`<p>${PAUSED}</p>`);
    await expect.poll(() => pendingWork(roomId)).toBe(0);
    expect(await fakeAnthropic.requestsMentioning(`${marker}-second`)).toEqual([]);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(2);
  });

  it("holds a reminder that comes due while the bot is paused, looking again every minute, and posts it after the bot resumes", async () => {
    const roomId = newRoomId();
    const marker = `hold${roomId}`;
    const text = `${marker} ${calling("set_reminder", { at: "in 10 minutes", text: "water the plants" }, marker)}`;
    expect(
      (await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS.butler }), { botId: "butler" })).status,
    ).toBe(204);
    await fakeCampfire.waitForMessages(roomId, 1);
    await pause("butler");
    const stub = conversation(roomId, "butler");
    await runInDurableObject(
      stub,
      (_, state) => void state.storage.sql.exec("UPDATE reminders SET due_at = ?", Date.now() - 1_000),
    );

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
    expect(
      await runInDurableObject(
        stub,
        (_, state) => state.storage.sql.exec("SELECT count(*) AS n FROM reminders").one().n,
      ),
    ).toBe(1);
    const next = (await alarmAt(roomId, "butler"))! - Date.now();
    expect(next).toBeGreaterThan(PAUSE_POLL_MS - 5_000);
    expect(next).toBeLessThanOrEqual(PAUSE_POLL_MS);

    await resume("butler");
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const [, reminder] = await fakeCampfire.waitForMessages(roomId, 2);
    expect(reminder!.body).toBe("<p>⏰ <strong>Reminder</strong> for Ada Lovelace: water the plants</p>");
  });

  it("drops, with a log line, a reminder the pause has held for a day", async () => {
    const roomId = newRoomId();
    const marker = `stale${roomId}`;
    const text = `${marker} ${calling("set_reminder", { at: "in 10 minutes", text: "renew the lease" }, marker)}`;
    await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS.butler }), { botId: "butler" });
    await fakeCampfire.waitForMessages(roomId, 1);
    await pause("butler");
    const stub = conversation(roomId, "butler");
    await runInDurableObject(
      stub,
      (_, state) => void state.storage.sql.exec("UPDATE reminders SET due_at = ?", Date.now() - 24 * 3_600_000 - 1_000),
    );
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: unknown) => void warnings.push(String(line)));

    await runDurableObjectAlarm(stub);
    expect(
      await runInDurableObject(
        stub,
        (_, state) => state.storage.sql.exec("SELECT count(*) AS n FROM reminders").one().n,
      ),
    ).toBe(0);
    expect(warnings.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ event: "reminder.dropped", bot: "butler", room: roomId, reason: "late" }),
    );
    await resume("butler");
    await runDurableObjectAlarm(stub);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
  });

  it("skips a paused bot's scheduled turn, and logs it; resumed, the schedule starts its turn again", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    await pause("butler");
    const fire = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(
        createScheduledController({ cron: "30 8 * * MON-FRI", scheduledTime: Date.now() }),
        env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
    };
    await fire();
    expect(await userTables(4242, "butler")).toEqual([]);
    expect(lines.map((line) => JSON.parse(line))).toContainEqual({
      level: "info",
      event: "schedule.skipped",
      bot: "butler",
      room: 4242,
      cron: "30 8 * * MON-FRI",
      rule: "paused",
    });

    await resume("butler");
    await fire();
    expect(await userTables(4242, "butler")).toContain("conversation");
  });

  it("keeps a paused bot from answering another bot's consultation: the caller's tool says so and it goes on", async () => {
    const roomId = newRoomId();
    const marker = `consult${roomId}`;
    await pause("researcher");
    const text = `${marker} ${calling("ask_researcher", { question: `who wrote the first program? ${marker}` }, marker)}`;
    expect(
      (await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS.concierge }), { botId: "concierge" })).status,
    ).toBe(204);
    await fakeCampfire.waitForMessages(roomId, 1);
    const requests = await fakeAnthropic.requestsMentioning(marker);
    // The concierge's two requests; none with the researcher's prompt.
    expect(requests).toHaveLength(2);
    expect(requests.filter((request) => JSON.stringify(request.body.system).includes("You are Researcher"))).toEqual(
      [],
    );
    const result = (
      requests[1]!.body.messages.at(-1)!.content as unknown as { content: string; is_error?: boolean }[]
    )[0]!;
    expect(result).toMatchObject({
      is_error: true,
      content: "Researcher is paused by an administrator; try again later. Answer without it.",
    });
  });

  it("answers a pause of a paused bot, and a resume of a running one, as nothing changed; an unknown bot is 404", async () => {
    await pause("assistant");
    expect(await pause("assistant")).toMatchObject({
      paused: true,
      changed: false,
      note: expect.stringMatching(/^Already paused since /),
    });
    await resume("assistant");
    expect(await resume("assistant")).toMatchObject({ paused: false, changed: false });
    const unknown = await admin("POST", "/bots/nobody/pause");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(
      /^no bot "nobody" is configured; the bots are assistant, /,
    );
  });
});

describe("a runtime budget", () => {
  type Shown = {
    budget: {
      configured: object | null;
      override: object | null;
      overrideSetAt: string | null;
      effective: object | null;
      source: string;
    };
  };

  it("is set, shown as overriding wrangler.toml, and cleared, without a deploy", async () => {
    const before = (await (await admin("GET", "/bots/librarian")).json()) as Shown;
    expect(before.budget).toEqual({
      configured: null,
      override: null,
      overrideSetAt: null,
      effective: null,
      source: "none",
    });

    const set = await admin("PUT", "/bots/librarian/budget", { daily_usd: 20, per_person_daily_usd: 2.5 });
    expect(set.status).toBe(200);
    const shown = (await (await admin("GET", "/bots/librarian")).json()) as Shown;
    expect(shown.budget).toMatchObject({
      override: { daily_usd: 20, per_person_daily_usd: 2.5 },
      effective: { daily_usd: 20, per_person_daily_usd: 2.5 },
      overrideSetAt: expect.any(String),
    });
    expect(shown.budget.source).toMatch(/^runtime override/);
    expect(
      await runInDurableObject(controlOf(env, "librarian"), async (instance) => (await instance.status()).budget),
    ).toEqual({ dailyUsd: 20, perPersonDailyUsd: 2.5 });

    const cleared = await admin("DELETE", "/bots/librarian/budget");
    expect(((await cleared.json()) as { changed: boolean }).changed).toBe(true);
    expect(((await (await admin("GET", "/bots/librarian")).json()) as Shown).budget).toEqual(before.budget);
    // With nothing to say (running, no override), the switch keeps no row.
    expect(
      await runInDurableObject(
        controlOf(env, "librarian"),
        (_, state) => state.storage.sql.exec("SELECT count(*) AS n FROM switch").one().n,
      ),
    ).toBe(0);
  });

  it.each([
    [
      "not JSON",
      "daily 20",
      'the body is not JSON; send the limits in US dollars, e.g. {"daily_usd": 20, "per_person_daily_usd": 2}',
    ],
    [
      "a negative limit",
      { daily_usd: -1 },
      "the budget was not changed: daily_usd must be a positive amount of US dollars, e.g. 5 or 0.5",
    ],
    [
      "no limit at all",
      {},
      "the budget was not changed: send at least one limit; to go back to wrangler.toml's budget, DELETE /admin/bots/librarian/budget",
    ],
    [
      "an unknown limit",
      { weekly_usd: 50 },
      'the budget was not changed: there is no limit "weekly_usd"; the limits are daily_usd, monthly_usd, per_person_daily_usd, per_room_daily_usd',
    ],
  ])("refuses %s with a sentence, and changes nothing", async (_, body, error) => {
    const response = await admin("PUT", "/bots/librarian/budget", body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error });
    expect(((await (await admin("GET", "/bots/librarian")).json()) as Shown).budget.override).toBeNull();
  });

  it("is 404 for a bot that is not configured", async () => {
    expect((await admin("PUT", "/bots/nobody/budget", { daily_usd: 1 })).status).toBe(404);
    expect((await admin("GET", "/bots/nobody")).status).toBe(404);
  });
});
