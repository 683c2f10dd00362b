import { afterEach, describe, expect, it, vi } from "vitest";
import { campfirePayload, fakeCampfire, newRoomId, postWebhook, TEST_KEYS } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** The `billing` of every log line with `event`, in order, for one room. */
function billingOf(lines: string[], event: string, roomId: number) {
  return lines
    .map((line) => JSON.parse(line) as { event: string; room: number; billing?: Record<string, number> })
    .filter((line) => line.event === event && line.room === roomId)
    .map((line) => line.billing);
}

describe("what a message is billed, as the bot counts it", () => {
  it("reports the exact rows a steady turn reads and writes, the requests and the subrequests", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    const roomId = newRoomId();
    for (let turn = 1; turn <= 3; turn++) {
      expect((await postWebhook(campfirePayload({ roomId, text: `billing turn ${turn}` }))).status).toBe(204);
      await fakeCampfire.waitForMessages(roomId, turn);
      // Let the run finish re-arming before the next message, as in a conversation at human pace.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const received = billingOf(lines, "webhook.accepted", roomId);
    const replied = billingOf(lines, "reply.posted", roomId);
    // A message to a live conversation: a `seen` row, an `inbox` row and the alarm — one request.
    expect(received[2]).toMatchObject({ do_requests: 1, rows_written: 3 });
    // The third turn's line: its alarm run; the answer kept (1 row), then settled (inbox row deleted, conversation row
    // updated); plus the previous run's re-arm. One model call, and Campfire's room read and post.
    expect(replied[2]).toEqual({ do_requests: 1, rows_written: 4, rows_read: expect.any(Number), subrequests: 3 });
    // Reads do not grow with the conversation: the transcript is one row.
    expect(replied[2]!.rows_read).toBeLessThanOrEqual(replied[1]!.rows_read!);
    // The first message also creates the tables, and its first turn tells the registry the conversation was born.
    expect(received[0]!.rows_written).toBeGreaterThan(received[2]!.rows_written!);
    expect(replied[1]!.do_requests).toBe(2);
  });

  it("costs one more request and a row per budget for a bot held to all four budgets: 3 requests and 11 rows written a message", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    const roomId = newRoomId();
    for (let turn = 1; turn <= 3; turn++) {
      const payload = campfirePayload({ roomId, text: `budgeted billing turn ${turn}`, key: TEST_KEYS.budget_all });
      expect((await postWebhook(payload, { botId: "budget_all" })).status).toBe(204);
      await fakeCampfire.waitForMessages(roomId, turn);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const received = billingOf(lines, "webhook.accepted", roomId);
    const replied = billingOf(lines, "reply.posted", roomId);
    expect(received[2]).toMatchObject({ do_requests: 1, rows_written: 3 });
    // The alarm's run as without a budget (4 rows), plus one request to the bot's budget, which settles the previous
    // turn and reserves this one's estimate in one upsert per budget: its day, its month, the person's day, the room's.
    expect(replied[2]).toEqual({ do_requests: 2, rows_written: 8, rows_read: expect.any(Number), subrequests: 3 });
    expect(received[2]!.do_requests! + replied[2]!.do_requests!).toBeLessThanOrEqual(3);
    expect(received[2]!.rows_written! + replied[2]!.rows_written!).toBeLessThanOrEqual(12);
  });
});
