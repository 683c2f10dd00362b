import { beforeAll, describe, expect, it } from "vitest";
import { TEST_KEYS } from "../bots";
import {
  adminGet,
  campfirePayload,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postWebhook,
  type RecordedRequest,
  storedTranscript,
  turnExtras,
} from "./helpers";
import { HANDBOOK, newLibrary } from "./knowledge-helpers";
import { newUserId } from "./memory-helpers";

type BotId = keyof typeof TEST_KEYS;
type ToolResult = { type: string; content: string; is_error?: boolean };

/** Someone asks `bot` to use `tool` once (through the fake model's directive); resolves with both model requests. */
async function useTool(
  bot: BotId,
  roomId: number,
  tool: string,
  input: unknown,
  user = { id: 7, name: "Ada Lovelace" },
) {
  const marker = `m${newRoomId()}`;
  const text = `${marker} [fake:tool=${tool},input=${encodeURIComponent(JSON.stringify(input))},id=${marker}]`;
  const response = await postWebhook(
    { ...campfirePayload({ roomId, text, key: TEST_KEYS[bot] }), user },
    { botId: bot },
  );
  expect(response.status).toBe(204);
  await fakeCampfire.waitForMessages(roomId, 1 + (await fakeCampfire.messages(roomId)).length - 1, 10_000);
  await expect.poll(() => fakeAnthropic.requestsMentioning(marker), { timeout: 10_000 }).toHaveLength(2);
  const requests = await fakeAnthropic.requestsMentioning(marker);
  const result = (requests[1]!.body.messages.at(-1)!.content as unknown as ToolResult[])[0]!;
  return { requests, result };
}

describe("a bot with a knowledge library", () => {
  beforeAll(async () => {
    await newLibrary(HANDBOOK, "handbook-test");
  });

  it("answers from it: the best passage, with the document's title and id to cite, reaches Claude", async () => {
    const roomId = newRoomId();
    const { requests, result } = await useTool("librarian", roomId, "search_knowledge", {
      query: "how many weeks of parental leave",
    });
    expect(result.is_error).toBeUndefined();
    expect(result.content).toMatch(/Parental leave \(id: leave\)/);
    expect(result.content).toContain("16");
    expect(JSON.stringify(requests[0]!.body.system)).toContain("handbook-test");
    const [reply] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(reply!.body).toContain("id: leave");
  });

  it("stores a document only in a library it may write", async () => {
    const roomId = newRoomId();
    const stored = await useTool("librarian", roomId, "store_document", {
      library: "notes-test",
      id: `note-${roomId}`,
      title: "Standup",
      body: "We moved standup to 9:30.",
    });
    expect(stored.result.is_error).toBeUndefined();
    const refused = await useTool("librarian", newRoomId(), "store_document", {
      library: "handbook-test",
      id: "evil",
      title: "Evil",
      body: "Everyone gets 300 days off.",
    });
    expect(refused.result.is_error).toBe(true);
  });
});

describe("a bot that remembers people", () => {
  it("knows in another room what a person told it, and never shows it to someone else", async () => {
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const grace = { id: newUserId(), name: "Grace Hopper" };
    const path = "/memories/preferences.md";
    const told = await useTool(
      "librarian",
      newRoomId(),
      "memory",
      { command: "create", path, file_text: "Prefers tea, not coffee.\n" },
      ada,
    );
    expect(told.result.is_error).toBeUndefined();
    // The turn says whose memory is open, after the cached prefix: the system prompt names no one.
    expect(turnExtras(told.requests[0]!)).toContain("belongs to Ada Lovelace");
    expect(JSON.stringify(told.requests[0]!.body.system)).not.toContain("Ada Lovelace");

    const elsewhere = await useTool("librarian", newRoomId(), "memory", { command: "view", path }, ada);
    expect(elsewhere.result.content).toContain("Prefers tea");
    const someoneElse = await useTool("librarian", newRoomId(), "memory", { command: "view", path }, grace);
    expect(someoneElse.result.is_error).toBe(true);
    expect(someoneElse.result.content).not.toContain("tea");
  });

  it("forgets everything about a person who asks it to", async () => {
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    await useTool(
      "librarian",
      newRoomId(),
      "memory",
      { command: "create", path: "/memories/notes.md", file_text: "Birthday in December.\n" },
      ada,
    );
    await useTool("librarian", newRoomId(), "memory", { command: "delete", path: "/memories" }, ada);
    const after = await adminGet<{ files: unknown[] }>(`/admin/memory/librarian/${ada.id}`);
    expect(after.files).toEqual([]);
  });
});

describe("a bot that consults another", () => {
  it("runs one turn of the specialist with its own prompt, returns its answer, and counts the usage under both", async () => {
    const before = (
      await adminGet<{ bots: Record<string, { consultations: number; tokens: { input: number } }> }>("/metrics/usage")
    ).bots.researcher!;
    const question = `Who wrote the first published program? q${newRoomId()}`;
    const { result } = await useTool("concierge", newRoomId(), "ask_researcher", { question });
    const consulted = (await fakeAnthropic.requestsMentioning(question)).find((request) =>
      JSON.stringify(request.body.system).includes("You are Researcher"),
    );
    expect(consulted).toBeDefined();
    expect(JSON.stringify(consulted!.body.system)).toContain("Concierge");
    // The specialist has its knowledge, but neither a way to consult further nor the concierge's room.
    const offered = ((consulted!.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name);
    expect(offered).toContain("search_knowledge");
    expect(offered.some((name) => name.startsWith("ask_") || name === "room_history")).toBe(false);
    expect(result.content).toContain(`Echo: ${question}`);
    await expect
      .poll(
        async () =>
          (
            await adminGet<{ bots: Record<string, { consultations: number; tokens: { input: number } }> }>(
              "/metrics/usage",
            )
          ).bots.researcher!.consultations,
      )
      .toBe(before.consultations + 1);
  });
});

describe("a bot that thinks", () => {
  it("sends thinking blocks back unchanged within a tool loop, and never shows or keeps them", async () => {
    const roomId = newRoomId();
    const { requests } = await useTool("thinker", roomId, "list_reminders", {});
    const body = (request: RecordedRequest) =>
      request.body as unknown as {
        thinking?: { type: string; budget_tokens: number };
        messages: { role: string; content: { type: string; signature?: string }[] }[];
      };
    expect(body(requests[0]!).thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    const replayed = body(requests[1]!).messages.at(-2)!;
    expect(replayed.role).toBe("assistant");
    expect(replayed.content[0]).toMatchObject({ type: "thinking", signature: expect.stringMatching(/^sig_fake_/) });
    const [reply] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(reply!.body).not.toContain("Thinking about request");
    expect(JSON.stringify(await storedTranscript(roomId, "thinker"))).not.toContain("Thinking about request");
  });
});
