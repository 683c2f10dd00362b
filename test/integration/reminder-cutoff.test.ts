import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { campfirePayload, conversation, fakeCampfire, newRoomId, postWebhook, TEST_KEYS } from "./helpers";

// In a file of its own: what a bot's Campfire supports is remembered per isolate, and other files teach the
// butler that some rooms have no read API.
describe("a reminder cut off after Campfire took it", () => {
  it("is not posted again by the next run", async () => {
    const roomId = newRoomId();
    const input = encodeURIComponent(JSON.stringify({ at: "in 10 minutes", text: "call the plumber" }));
    const text = `cutrem${roomId} [fake:tool=set_reminder,input=${input},id=cutrem${roomId}]`;
    await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS.butler }), { botId: "butler" });
    await fakeCampfire.waitForMessages(roomId, 1);
    // What a run that died mid-post leaves: the reminder due and marked as being posted, and the post in the room.
    const stub = conversation(roomId, "butler");
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec("UPDATE reminders SET due_at = ?, posting_since = ?", Date.now() - 1, Date.now() - 1);
    });
    await fetch(`${env.CAMPFIRE_URL}/rooms/${roomId}/${TEST_KEYS.butler}/messages`, {
      method: "POST",
      body: "<p>⏰ <strong>Reminder</strong> for Ada Lovelace: call the plumber</p>",
    });

    await runDurableObjectAlarm(stub);
    const reminders = (await fakeCampfire.messages(roomId)).filter(
      (m) => m.body.includes("call the plumber") && m.body.includes("⏰"),
    );
    expect(reminders).toHaveLength(1);
    expect(
      await runInDurableObject(stub, (_, state) => state.storage.sql.exec("SELECT * FROM reminders").toArray()),
    ).toEqual([]);
  });
});
