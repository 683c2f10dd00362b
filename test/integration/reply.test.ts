import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MESSAGE_LIMIT } from "../../src/campfire/split";
import { PROGRESS_TEXT } from "../../src/conversation/streamer";
import { shownMessages } from "../shown-messages";
import {
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postAsBot,
  postWebhook,
  runUntilIdle,
  speakers,
  storedTranscript,
  TEST_KEYS,
  turnExtras,
} from "./helpers";

type Bot = keyof typeof TEST_KEYS;

async function send(roomId: number, text: string, bot: Bot = "assistant") {
  const response = await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS[bot] }), { botId: bot });
  expect(response.status).toBe(204);
}

describe("streamed replies", { timeout: 30_000 }, () => {
  it("post early and grow by editing one message, ending with the whole answer", async () => {
    const roomId = newRoomId();
    const marker = `stream${roomId}`;
    await send(roomId, `${marker} [fake:chunks=12,chunkDelay=400,id=${marker}]`);
    const [message] = await fakeCampfire.waitForMessages(roomId, 1, 15_000);
    // The first post is partial text that is still growing.
    await expect
      .poll(async () => (await fakeCampfire.messages(roomId))[0]!.edits.length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    // The final edit drops the "…" that marks text still growing.
    await expect
      .poll(async () => (await fakeCampfire.messages(roomId))[0]!.body, { timeout: 15_000 })
      .not.toMatch(/<p>…<\/p>$/);
    const [final] = await fakeCampfire.messages(roomId);
    expect(final!.id).toBe(message!.id);
    expect(final!.edits[0]).toMatch(/<p>…<\/p>$/);
    expect(final!.body).toContain(`Echo: Ada Lovelace: ${marker}`);
    expect(final!.body).toContain("earlier user messages: 0");
    expect(final!.body).not.toMatch(/<p>…<\/p>$/);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
  });

  it("make a relative link to a Campfire message clickable while the answer still grows, not only at the end", async () => {
    const roomId = newRoomId();
    const reply = encodeURIComponent(
      `See [the plan](/rooms/${roomId}/@5) first. ${"More words follow here. ".repeat(20)}`,
    );
    await send(roomId, `link${roomId} [fake:reply=${reply},chunks=12,chunkDelay=400]`);
    await fakeCampfire.waitForMessages(roomId, 1, 15_000);
    await expect
      .poll(async () => (await fakeCampfire.messages(roomId))[0]!.body, { timeout: 15_000 })
      .not.toMatch(/<p>…<\/p>$/);
    const [message] = await fakeCampfire.messages(roomId);
    const href = `href="${env.CAMPFIRE_URL}/rooms/${roomId}/@5"`;
    expect(message!.edits[0]).toMatch(/<p>…<\/p>$/);
    expect(message!.edits[0]).toContain(href);
    expect(message!.body).toContain(href);
  });

  it("on an older Campfire without edits, post once at the end and stop asking", async () => {
    const roomId = newRoomId();
    const marker = `legacy${roomId}`;
    await fakeCampfire.legacy(roomId);
    await send(roomId, `${marker} [fake:chunks=8,chunkDelay=300,id=${marker}]`, "hasty");
    const [reply] = await fakeCampfire.waitForMessages(roomId, 1, 15_000);
    expect(reply!.edits).toEqual([]);
    expect(reply!.body).toContain(marker);

    // The bot remembers: the next turn neither reads nor edits.
    const callsBefore = (await fakeCampfire.calls(roomId)).length;
    await send(roomId, `${marker} again`, "hasty");
    await fakeCampfire.waitForMessages(roomId, 2);
    const later = (await fakeCampfire.calls(roomId)).slice(callsBefore);
    expect(later.map((call) => call.method)).toEqual(["POST"]);
  });

  it("splits a long answer into several messages, never inside a code block", async () => {
    const roomId = newRoomId();
    const code = `\`\`\`\n${Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n")}\n\`\`\``;
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: ${"words ".repeat(25).trim()}`);
    const reply = [...paragraphs.slice(0, 20), code, ...paragraphs.slice(20)].join("\n\n");
    await send(roomId, `long answer [fake:reply=${encodeURIComponent(reply)},id=long${roomId}]`);
    await runUntilIdle(roomId);
    const messages = await fakeCampfire.waitForMessages(roomId, 2);
    expect(messages.length).toBeGreaterThanOrEqual(Math.ceil(reply.length / MESSAGE_LIMIT));
    const withCode = messages.filter((message) => message.body.includes("<pre><code>"));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]!.body).toContain("line 0\nline 1");
    expect(withCode[0]!.body).toContain("line 29</code></pre>");
    expect(messages.map((m) => m.body).join("")).toContain("Paragraph 39:");
  });

  it("after a crash mid-stream, completes the half-shown message instead of leaving it or posting anew", async () => {
    const roomId = newRoomId();
    const marker = `crash${roomId}`;
    // What a crash mid-stream leaves: the message stored and not yet answered (here its first attempt failed,
    // so nothing is in flight), and half an answer in the room whose id the turn recorded before dying.
    await send(roomId, `${marker} [fake:status=529,retryAfter=600,times=1,id=${marker}]`);
    await expect.poll(() => fakeAnthropic.requestsMentioning(marker)).toHaveLength(1);
    const half = await postAsBot(roomId, "<p>Echo: half an ans</p><p>…</p>");
    await runInDurableObject(conversation(roomId), (_, state) => {
      state.storage.sql.exec("UPDATE conversation SET draft_message_id = ?", half);
    });

    await runUntilIdle(roomId);
    const messages = await fakeCampfire.messages(roomId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.id).toBe(half);
    expect(messages[0]!.body).toContain(`Echo: Ada Lovelace: ${marker}`);
    expect(messages[0]!.edits).toEqual(["<p>Echo: half an ans</p><p>…</p>"]);
  });

  it("after a crash between Campfire taking the first draft and recording its id, finds that draft and completes it", async () => {
    const roomId = newRoomId();
    const marker = `orphan${roomId}`;
    await send(roomId, `${marker} [fake:status=529,retryAfter=600,times=1,id=${marker}]`);
    await expect.poll(() => fakeAnthropic.requestsMentioning(marker)).toHaveLength(1);
    // The run recorded that it was posting a draft, Campfire created it, and the run died before its id was kept.
    await runInDurableObject(conversation(roomId), (_, state) => {
      state.storage.sql.exec("UPDATE conversation SET draft_posting_since = ?", Date.now());
    });
    const orphan = await postAsBot(roomId, "<p>Echo: half an ans</p><p>…</p>");

    await runUntilIdle(roomId);
    const messages = await fakeCampfire.messages(roomId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.id).toBe(orphan);
    expect(messages[0]!.body).toContain(`Echo: Ada Lovelace: ${marker}`);
  });
});

describe("long turns", () => {
  it("show a progress line after about ten seconds, then replace it with the answer", async () => {
    const roomId = newRoomId();
    const marker = `progress${roomId}`;
    await send(roomId, `${marker} [fake:delay=11500,id=${marker}]`);
    const [progress] = await fakeCampfire.waitForMessages(roomId, 1, 12_000);
    expect(progress!.body).toContain(PROGRESS_TEXT);
    await expect
      .poll(async () => (await fakeCampfire.messages(roomId))[0]!.body, { timeout: 10_000 })
      .toContain(marker);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
  }, 30_000);

  it("end at the bot's time limit with an honest message, not silence and not a retry", async () => {
    const roomId = newRoomId();
    const marker = `timeout${roomId}`;
    await send(roomId, `${marker} [fake:delay=6000,id=${marker}]`, "hasty");
    const [message] = await fakeCampfire.waitForMessages(roomId, 1, 10_000);
    expect(message!.body).toContain("took longer than this bot may spend on one turn");
    expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(1);
  }, 20_000);
});

describe("room context", () => {
  it("gives Claude the room's recent messages, marked as context and apart from the turn", async () => {
    const roomId = newRoomId();
    await fakeCampfire.say(roomId, "Grace Hopper", "the deploy is at 3pm");
    await fakeCampfire.say(roomId, "Alan Turing", "I'll bring snacks");
    await send(roomId, `ctx${roomId} when is the deploy?`);
    await fakeCampfire.waitForMessages(roomId, 1);
    const [request] = await fakeAnthropic.requestsMentioning(`ctx${roomId}`);
    expect(speakers(request!)).toEqual([{ from: "Ada Lovelace", text: `ctx${roomId} when is the deploy?` }]);
    const extras = turnExtras(request!);
    expect(extras).toMatch(/^Room context: the latest messages in "Watercooler"/);
    const context = shownMessages(extras);
    expect(context.map(({ from, text }) => ({ from, text }))).toEqual([
      { from: "Grace Hopper", text: "the deploy is at 3pm" },
      { from: "Alan Turing", text: "I'll bring snacks" },
    ]);
    // Each line carries its message id and time, and the block says how to link to it.
    expect(context[0]!.id).toBeGreaterThan(0);
    expect(context[0]!.time).toMatch(/^\d\d:\d\d$/);
    expect(context[0]!.link).toBe(`/rooms/${roomId}/@${context[0]!.id}`);
    expect(extras).toMatch(/Current time: .*\(UTC\)/);
  });

  it("leaves out the messages already sent to the bot, so nothing is said twice", async () => {
    const roomId = newRoomId();
    await fakeCampfire.say(roomId, "Grace Hopper", "seenctx lunch at noon");
    // Ada's mention is in the room too, as in Campfire, with the id its webhook carries.
    const mentionId = await fakeCampfire.say(roomId, "Ada Lovelace", `seenctx${roomId} who is coming?`);
    await postWebhook(campfirePayload({ roomId, text: `seenctx${roomId} who is coming?`, messageId: mentionId }));
    await fakeCampfire.waitForMessages(roomId, 1);
    const [request] = await fakeAnthropic.requestsMentioning(`seenctx${roomId}`);
    const extras = turnExtras(request!);
    expect(extras).toContain("lunch at noon");
    expect(extras).not.toContain("who is coming");
  });

  it("carries on without it on a Campfire that has no read API", async () => {
    const roomId = newRoomId();
    await fakeCampfire.legacy(roomId);
    await fakeCampfire.say(roomId, "Grace Hopper", "secret plans");
    await send(roomId, `noctx${roomId} hello`, "hasty");
    await fakeCampfire.waitForMessages(roomId, 1);
    const [request] = await fakeAnthropic.requestsMentioning(`noctx${roomId}`);
    expect(turnExtras(request!)).not.toContain("secret plans");
  });
});

describe("cost", { timeout: 30_000 }, () => {
  it("marks the system prompt, the newest answer and the turn itself as cache breakpoints, nothing volatile before them", async () => {
    const roomId = newRoomId();
    await send(roomId, `cachebp${roomId} one`);
    await fakeCampfire.waitForMessages(roomId, 1);
    await send(roomId, `cachebp${roomId} two`);
    await fakeCampfire.waitForMessages(roomId, 2);
    const second = (await fakeAnthropic.requestsMentioning(`cachebp${roomId} two`))[0]!;
    const blocks = second.body.messages.flatMap((m) => (typeof m.content === "string" ? [] : m.content)) as {
      text?: string;
      cache_control?: unknown;
    }[];
    const marked = blocks.map((block, index) => (block.cache_control ? index : -1)).filter((index) => index >= 0);
    expect((second.body.system as { cache_control?: unknown }[])[0]!.cache_control).toBeTruthy();
    // The first answer (index 1) and this turn's words (index 2); the time comes after them.
    expect(marked).toEqual([1, 2]);
    expect(
      blocks
        .slice(0, 3)
        .map((b) => b.text)
        .join(""),
    ).not.toMatch(/Current time/);
    expect(second.usage!.cache_read_input_tokens).toBeGreaterThan(0);
  });

  it("keeps history within the bot's budget, so the tokens sent per turn level off", async () => {
    const roomId = newRoomId();
    const sent: number[] = [];
    for (let turn = 1; turn <= 12; turn++) {
      await send(roomId, `budget${roomId} turn ${turn}: ${"a fairly long question ".repeat(8)}`, "frugal");
      await fakeCampfire.waitForMessages(roomId, turn);
      const request = (await fakeAnthropic.requestsMentioning(`budget${roomId} turn ${turn}:`))[0]!;
      const usage = request.usage!;
      sent.push(usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens);
    }
    // Without a budget turn 12 would carry 11 earlier exchanges, about 8 times turn 2's load.
    expect(Math.max(...sent.slice(6))).toBeLessThan(sent[1]! * 4);
    expect(Math.max(...sent.slice(6))).toBeLessThanOrEqual(Math.max(...sent.slice(0, 6)) * 1.2);
    expect((await storedTranscript(roomId, "frugal")).length).toBeLessThan(22);
  });
});

describe("a delivery cut off after Campfire took it", () => {
  it("is not posted again when the next run finds it already in the room", async () => {
    const roomId = newRoomId();
    const marker = `cutoff${roomId}`;
    // Campfire refuses the first post, so the answer waits in the outbox for a later run...
    await fakeCampfire.fail({ status: 503, times: 1, room: roomId, method: "POST", endsWith: "/messages" });
    await send(roomId, marker);
    const stored = () =>
      runInDurableObject(
        conversation(roomId),
        (_, state) =>
          state.storage.sql.exec<{ markdown: string | null }>("SELECT out_markdown AS markdown FROM conversation").one()
            .markdown,
      );
    await expect
      .poll(async () => (await fakeCampfire.calls(roomId)).filter((call) => call.status === 503).length)
      .toBe(1);
    // ...and meanwhile it reached the room anyway, as when a run dies between "201 Created" and recording it.
    const answer = (await stored())!;
    await postAsBot(roomId, `<p>${answer.replace(/\n\n/g, "</p>\n<p>").replaceAll('"', "&quot;")}</p>`);

    await runUntilIdle(roomId);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
    expect(await storedTranscript(roomId)).toHaveLength(2);
  });

  it("is recognised when it holds a list and a quote, which Campfire's plain text shows with bullets and quotes", async () => {
    const roomId = newRoomId();
    const reply = encodeURIComponent("Steps:\n\n- pack\n- ship\n\n1. first\n2. second\n\n> quoted words");
    await fakeCampfire.fail({ status: 503, times: 1, room: roomId, method: "POST", endsWith: "/messages" });
    await send(roomId, `listed${roomId} [fake:reply=${reply}]`);
    await expect
      .poll(async () => (await fakeCampfire.calls(roomId)).filter((call) => call.status === 503).length)
      .toBe(1);
    // The answer reached the room anyway, rendered as the bot renders it.
    await postAsBot(
      roomId,
      "<p>Steps:</p><ul><li>pack</li><li>ship</li></ul><ol><li>first</li><li>second</li></ol><blockquote><p>quoted words</p></blockquote>",
    );

    await runUntilIdle(roomId);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
  });
});
