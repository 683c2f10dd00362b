import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { botMessagesPath } from "../../src/campfire/room";
import { postAttachment } from "../../src/campfire/attachments";
import { addBoost, removeBoost } from "../../src/campfire/boosts";
import type { CampfireTransport } from "../../src/campfire/transport";
import { ServiceFailure } from "../../src/failure";
import { BOT_KEY, newRoomId } from "./helpers";

// As the lead's client will pass it: the base URL, and redirects left for the caller to see.
const send: CampfireTransport = (path, init) => fetch(env.CAMPFIRE_URL + path, { ...init, redirect: "manual" });

const control = async <T>(path: string, body?: unknown): Promise<T> =>
  (
    await fetch(
      `${env.CAMPFIRE_URL}/_fake/${path}`,
      body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
    )
  ).json() as Promise<T>;
const roomMessages = (roomId: number) =>
  control<{ id: number; body: string; attachment?: { name: string; type: string; size: number } }[]>(
    `messages?room=${roomId}`,
  );
const roomBoosts = (roomId: number) =>
  control<{ id: number; messageId: number; content: string }[]>(`boosts?room=${roomId}`);
/** A person's message in the room, for the bot to boost. */
const someoneSays = (roomId: number) =>
  control<{ id: number }>("say", { roomId, user: { id: 50, name: "Ada" }, body: "please make a chart" });

const csv = (text: string) => ({ name: "numbers.csv", type: "text/csv", bytes: new TextEncoder().encode(text) });

describe("postAttachment", () => {
  it("posts the file as a message of its own, name, type and size intact, and returns its id", async () => {
    const roomId = newRoomId();
    const posted = await postAttachment(send, botMessagesPath(roomId, BOT_KEY), csv("n,square\n1,1\n2,4\n"));
    const [message] = await roomMessages(roomId);
    expect(posted.messageId).toBe(message!.id);
    expect(message).toMatchObject({ body: "", attachment: { name: "numbers.csv", type: "text/csv", size: 17 } });
  });

  it("still posts on an older Campfire, which has no boosts or edits but takes uploads", async () => {
    const roomId = newRoomId();
    await control("legacy", { on: true, room: roomId });
    await expect(postAttachment(send, botMessagesPath(roomId, BOT_KEY), csv("a\n"))).resolves.toMatchObject({
      messageId: expect.any(Number),
    });
  });

  it("says a wrong key is a wrong key, and a server error is worth retrying", async () => {
    const wrongKey = await postAttachment(send, botMessagesPath(newRoomId(), "4-WRONGWRONGWR"), csv("a\n")).catch(
      (e: unknown) => e,
    );
    expect(wrongKey).toBeInstanceOf(ServiceFailure);
    expect(wrongKey).toMatchObject({
      service: "campfire",
      kind: "key_rejected",
      message: expect.stringMatching(/bot key is wrong/),
    });

    const roomId = newRoomId();
    await control("fail", { status: 503, times: 1, room: roomId });
    const failed = await postAttachment(send, botMessagesPath(roomId, BOT_KEY), csv("a\n")).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      kind: "unavailable",
      retryable: true,
      status: 503,
      message: "Campfire answered 503 when asked to post the file numbers.csv",
    });
    expect(await roomMessages(roomId)).toEqual([]);
  });
});

describe("addBoost and removeBoost", () => {
  it("boosts a message with 👀 and takes the boost away again", async () => {
    const roomId = newRoomId();
    const path = botMessagesPath(roomId, BOT_KEY);
    const { id: messageId } = await someoneSays(roomId);
    const boost = await addBoost(send, path, messageId, "👀");
    if (boost === "unsupported") throw new Error("the fake Campfire supports boosts");
    expect(await roomBoosts(roomId)).toMatchObject([{ id: boost.boostId, messageId, content: "👀" }]);

    await removeBoost(send, path, messageId, boost.boostId);
    expect(await roomBoosts(roomId)).toEqual([]);
    // Already gone is what removing wanted.
    await expect(removeBoost(send, path, messageId, boost.boostId)).resolves.toBeUndefined();
  });

  it("answers unsupported on an older Campfire, which answers 404", async () => {
    const roomId = newRoomId();
    const { id: messageId } = await someoneSays(roomId);
    await control("legacy", { on: true, room: roomId });
    expect(await addBoost(send, botMessagesPath(roomId, BOT_KEY), messageId, "👀")).toBe("unsupported");
    expect(await roomBoosts(roomId)).toEqual([]);
  });

  it("fails, without retrying, on an empty boost (Campfire's 422)", async () => {
    const roomId = newRoomId();
    const { id: messageId } = await someoneSays(roomId);
    const failure = await addBoost(send, botMessagesPath(roomId, BOT_KEY), messageId, "").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServiceFailure);
    expect(failure).toMatchObject({
      kind: "bad_request",
      status: 422,
      retryable: false,
      message: `Campfire answered 422 when asked to boost message ${messageId}`,
    });
  });

  it("reports a server error on removal instead of pretending the boost is gone", async () => {
    const roomId = newRoomId();
    const path = botMessagesPath(roomId, BOT_KEY);
    const { id: messageId } = await someoneSays(roomId);
    const boost = (await addBoost(send, path, messageId, "👀")) as { boostId: number };
    await control("fail", { status: 500, times: 1, room: roomId, method: "DELETE" });
    await expect(removeBoost(send, path, messageId, boost.boostId)).rejects.toMatchObject({
      kind: "unavailable",
      status: 500,
    });
    expect(await roomBoosts(roomId)).toHaveLength(1);
  });
});
