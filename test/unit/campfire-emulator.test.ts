import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { handleBotApi, PAGE_SIZE } from "../../src/campfire-emulator/bot-api";
import { MemoryCampfireStore } from "../../src/campfire-emulator/memory-store";
import { plainText } from "../../src/campfire-emulator/plain-text";
import { TEST_KEYS } from "../bots";

const KEY = TEST_KEYS.assistant;
const BOT_ID = Number(KEY.split("-")[0]);
const ADA = { id: 7, name: "Ada Lovelace" };

/** One Campfire to hold to once-campfire's answers: its bot API at `base`, and people who talk in rooms 1 and 2. */
interface Campfire {
  base: string;
  call(path: string, init?: RequestInit): Promise<Response>;
  say(roomId: number, text: string): Promise<number>;
  /** A message created at `at` (epoch ms), as an imported or backdated one would be. */
  sayAt(roomId: number, text: string, at: number): Promise<number>;
}

function inMemory(): Campfire {
  const store = new MemoryCampfireStore({
    authenticateBot: (key) => (key === KEY ? { id: BOT_ID, name: "Assistant", role: "bot" } : null),
    rooms: [1, 2],
  });
  const base = "https://chat.example.com";
  return {
    base,
    call: (path, init) => handleBotApi(new Request(base + path, init), store),
    say: async (roomId, text) => store.post(roomId, { ...ADA, role: "member" }, { html: text }).id,
    sayAt: async (roomId, text, at) => store.post(roomId, { ...ADA, role: "member" }, { html: text }, at).id,
  };
}

function inThePlayground(): Campfire {
  const campfire = env.PLAYGROUND_CAMPFIRE.getByName(`emulator-${crypto.randomUUID()}`);
  const base = "https://bot.example/playground/campfire";
  return {
    base,
    call: (path, init) => campfire.fetch(new Request(base + path, init)),
    say: async (roomId, text) => (await campfire.say(roomId, ADA, text)).id,
    sayAt: async (roomId, text, at) => {
      const { id } = await campfire.say(roomId, ADA, text);
      await runInDurableObject(campfire, (_, state) =>
        state.storage.sql.exec("UPDATE messages SET created_at = ? WHERE id = ?", at, id),
      );
      return id;
    },
  };
}

const messages = (roomId: number, query = "") => `/rooms/${roomId}/${KEY}/messages${query}`;
type MessageJson = {
  id: number;
  created_at: string;
  body: { plain_text: string; html: string };
  creator: { id: number; name: string; role: string };
  room: { id: number };
  url: string;
};

async function sayMany(campfire: Campfire, roomId: number, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(await campfire.say(roomId, `m${i}`));
  return ids;
}

async function read(campfire: Campfire, path: string) {
  const response = await campfire.call(path);
  expect(response.status).toBe(200);
  const link = response.headers.get("link");
  return {
    ids: ((await response.json()) as MessageJson[]).map((message) => message.id),
    total: response.headers.get("x-total-count"),
    next: link === null ? null : (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? link),
  };
}

describe.each([
  ["in memory", inMemory],
  ["in the playground's SQLite", inThePlayground],
])("the Campfire emulator %s", (_, make) => {
  it(`gives the newest ${PAGE_SIZE} messages oldest first, counts the room, and links to the ones before`, async () => {
    const campfire = make();
    const ids = await sayMany(campfire, 1, 45);
    await campfire.say(2, "another room");

    const newest = await read(campfire, messages(1));
    expect(newest.ids).toEqual(ids.slice(5));
    expect(newest.total).toBe("45");
    expect(newest.next).toBe(`${campfire.base}${messages(1, `?before=${ids[5]}`)}`);

    const older = await read(campfire, newest.next!.slice(campfire.base.length));
    expect(older.ids).toEqual(ids.slice(0, 5));
    expect(older.next).toBeNull();
  });

  it(`gives the ${PAGE_SIZE} just before a message with ?before=, and the ${PAGE_SIZE} just after with ?after=, whose link goes on forward`, async () => {
    const campfire = make();
    const ids = await sayMany(campfire, 1, 85);

    const before = await read(campfire, messages(1, `?before=${ids[60]}`));
    expect(before.ids).toEqual(ids.slice(20, 60));
    expect(before.next).toBe(`${campfire.base}${messages(1, `?before=${ids[20]}`)}`);

    const after = await read(campfire, messages(1, `?after=${ids[0]}`));
    expect(after.ids).toEqual(ids.slice(1, 41));
    expect(after.next).toBe(`${campfire.base}${messages(1, `?after=${ids[40]}`)}`);
    const next = await read(campfire, after.next!.slice(campfire.base.length));
    expect(next.ids).toEqual(ids.slice(41, 81));
    const last = await read(campfire, next.next!.slice(campfire.base.length));
    expect(last.ids).toEqual(ids.slice(81));
    expect(last.next).toBeNull();
  });

  it("pages by creation time alone, as Campfire's created_at scopes do: one made at the anchor's very instant is in neither direction", async () => {
    const campfire = make();
    const at = Date.parse("2026-11-30T09:00:00Z");
    const first = await campfire.sayAt(1, "first", at);
    const tied = await campfire.sayAt(1, "tied", at + 1_000);
    const anchor = await campfire.sayAt(1, "anchor", at + 1_000);
    const last = await campfire.sayAt(1, "last", at + 2_000);

    expect((await read(campfire, messages(1, `?before=${anchor}`))).ids).toEqual([first]);
    expect((await read(campfire, messages(1, `?after=${tied}`))).ids).toEqual([last]);
    // The tie is still listed, in creation order, where no anchor excludes it.
    expect((await read(campfire, messages(1))).ids).toEqual([first, tied, anchor, last]);
    expect((await read(campfire, messages(1, `?after=${first}`))).ids).toEqual([tied, anchor, last]);
  });

  it("reads ?before= and ?after= as Rails does: blank is no anchor, an id is its leading digits, and with both the page is before and its link goes on after", async () => {
    const campfire = make();
    const ids = await sayMany(campfire, 1, 45);
    expect((await read(campfire, messages(1, "?before=%20"))).ids).toEqual(ids.slice(5));
    expect((await read(campfire, messages(1, `?after=${ids[40]}abc`))).ids).toEqual(ids.slice(41));
    expect((await campfire.call(messages(1, "?after=abc"))).status).toBe(404);

    const both = await read(campfire, messages(1, `?before=${ids[44]}&after=${ids[0]}`));
    expect(both.ids).toEqual(ids.slice(4, 44));
    expect(both.next).toBe(`${campfire.base}${messages(1, `?after=${ids[43]}`)}`);
  });

  it("answers 404 to paging from a message that is not in the room", async () => {
    const campfire = make();
    await sayMany(campfire, 1, 3);
    const elsewhere = await campfire.say(2, "in the other room");
    for (const query of [`?before=${elsewhere}`, `?after=${elsewhere}`, "?before=987654321", "?after=987654321"]) {
      expect((await campfire.call(messages(1, query))).status, query).toBe(404);
    }
    expect((await campfire.call(messages(2, `?before=${elsewhere}`))).status).toBe(200);
  });

  it("gives a file message's name, as Active Storage keeps it, as its plain text, and a text message Action Text's plain text", async () => {
    const campfire = make();
    const form = new FormData();
    form.append("attachment", new File(["a,b\n"], " q3:report.csv ", { type: "text/csv" }));
    expect((await campfire.call(messages(1), { method: "POST", body: form })).status).toBe(201);
    expect(
      (
        await campfire.call(messages(1), {
          method: "POST",
          body: "<p>Figures &amp; notes</p><ul><li>one</li><li>two</li></ul>",
        })
      ).status,
    ).toBe(201);

    const [file, text] = (await (await campfire.call(messages(1))).json()) as MessageJson[];
    expect(file!.body).toEqual({ plain_text: "q3-report.csv", html: "" });
    expect(text!.body.plain_text).toBe("Figures & notes\n\n• one\n• two");
    expect(text!.body.html).toContain("<p>Figures &amp; notes</p>");
    expect(text).toMatchObject({
      creator: { id: BOT_ID, role: "bot" },
      room: { id: 1 },
      url: `${campfire.base}/rooms/1/messages/${text!.id}`,
    });
    expect(new Date(text!.created_at).toISOString()).toBe(text!.created_at);
  });

  it("posts with 201 and the message's URL, and refuses an empty body, a wrong key and a room the bot is not in", async () => {
    const campfire = make();
    const posted = await campfire.call(messages(1), { method: "POST", body: "hello" });
    expect(posted.status).toBe(201);
    expect(posted.headers.get("location")).toMatch(new RegExp(`^${campfire.base}/messages/\\d+$`));
    expect((await campfire.call(messages(1), { method: "POST", body: " \n " })).status).toBe(422);
    const wrongKey = await campfire.call(`/rooms/1/${BOT_ID}-WRONGWRONGWR/messages`, {
      method: "POST",
      body: "hello",
      redirect: "manual",
    });
    expect(wrongKey.status).toBe(302);
    expect(wrongKey.headers.get("location")).toBe("/session/new");
    expect((await campfire.call(messages(3), { method: "POST", body: "hello" })).status).toBe(404);
    expect((await campfire.call(messages(3))).status).toBe(404);
  });

  it("lets a bot edit (200 with the message's JSON) and delete (204) its own messages only (403)", async () => {
    const campfire = make();
    const own = Number(
      (await campfire.call(messages(1), { method: "POST", body: "<p>Deploying…</p>" })).headers
        .get("location")!
        .split("/")
        .pop(),
    );
    const someones = await campfire.say(1, "not yours");

    const edited = await campfire.call(messages(1, `/${own}`), { method: "PATCH", body: "<p>Deployed.</p>" });
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as MessageJson).body.plain_text).toBe("Deployed.");
    expect((await campfire.call(messages(1, `/${someones}`), { method: "PATCH", body: "Hijacked!" })).status).toBe(403);
    expect((await campfire.call(messages(1, `/${someones}`), { method: "DELETE" })).status).toBe(403);
    expect((await campfire.call(messages(2, `/${own}`), { method: "DELETE" })).status).toBe(404);

    expect((await campfire.call(messages(1, `/${own}`), { method: "DELETE" })).status).toBe(204);
    expect((await read(campfire, messages(1))).ids).toEqual([someones]);
  });

  it("boosts anyone's message with the raw body (201 and the boost's JSON), refuses an empty one, and removes only its own", async () => {
    const campfire = make();
    const someones = await campfire.say(1, "ship it?");
    const boosts = messages(1, `/${someones}/boosts`);
    expect((await campfire.call(boosts, { method: "POST", body: "  " })).status).toBe(422);
    expect((await campfire.call(messages(1, "/987654321/boosts"), { method: "POST", body: "👀" })).status).toBe(404);

    const created = await campfire.call(boosts, { method: "POST", body: "👀" });
    expect(created.status).toBe(201);
    const boost = (await created.json()) as {
      id: number;
      content: string;
      booster: { id: number };
      message: { id: number; url: string };
    };
    expect(boost).toMatchObject({
      content: "👀",
      booster: { id: BOT_ID },
      message: { id: someones, url: `${campfire.base}/rooms/1/messages/${someones}` },
    });

    expect((await campfire.call(`${boosts}/${boost.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await campfire.call(`${boosts}/${boost.id}`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("Action Text's plain text of a message body", () => {
  it.each([
    ["paragraphs end in a blank line, the last one's trimmed", "<p>one</p>\n<p>two</p>", "one\n\ntwo"],
    ["a div and a <br> end a line", "<div>one<br>two</div><div>three</div>", "one\ntwo\nthree"],
    [
      "list items get bullets or numbers, nested ones indented",
      "<ul><li>a<ul><li>b</li></ul></li></ul><ol><li>x</li><li>y</li></ol>",
      "• a\n  • b\n\n1. x\n2. y",
    ],
    ["a blockquote gets curly quotes", "<blockquote>quoted</blockquote>", "“quoted”"],
    [
      "entities are decoded, tags and scripts dropped",
      "<p>a &amp; b &lt;3 &#x1F680; <strong>bold</strong><script>x()</script></p>",
      "a & b <3 🚀 bold",
    ],
    ["a lone < is text", "2 < 3", "2 < 3"],
  ])("%s", (_, html, text) => {
    expect(plainText(html)).toBe(text);
  });
});
