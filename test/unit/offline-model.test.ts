import { describe, expect, it } from "vitest";
import { MESSAGE_LINES_SHAPE, messageLines } from "../../src/campfire/message-lines";
import { OfflineModel } from "../../src/playground/offline-model";

const turn = (text: string) => ({
  role: "user" as const,
  content: [{ type: "text" as const, text: JSON.stringify({ from: "Ada", text }) }],
});
const request = (messages: Parameters<OfflineModel["ask"]>[0]["messages"], tools: { name: string }[] = []) => ({
  model: "offline",
  maxTokens: 100,
  system: [],
  messages,
  tools: tools.map((t) => ({ ...t, input_schema: { type: "object" as const } })),
});

describe("the playground's offline model", () => {
  it("says it is offline and echoes what it was told", async () => {
    const answer = await new OfflineModel().ask(request([turn("hello there")]), {});
    expect(answer.text).toMatch(/^\*\*Offline model\*\*/);
    expect(answer.text).toContain("You said: *hello there*");
  });

  it("searches the bot's library first and cites the best passage, so the playground shows the handbook", async () => {
    const model = new OfflineModel();
    const first = await model.ask(request([turn("parental leave")], [{ name: "search_knowledge" }]), {});
    expect(first.stopReason).toBe("tool_use");
    expect(first.content[0]).toMatchObject({
      type: "tool_use",
      name: "search_knowledge",
      input: { query: "parental leave" },
    });
    const result =
      'Passages from library "handbook", best first:\n\n[1] Leave › Parental leave (id: leave)\nParents get 16 weeks of fully paid leave.\n\n[2] Other';
    const messages = [
      turn("parental leave"),
      { role: "assistant" as const, content: first.content },
      { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: "x", content: result }] },
    ];
    const second = await model.ask(request(messages as never, [{ name: "search_knowledge" }]), {});
    expect(second.text).toContain("The best passage I found is from **Leave › Parental leave (id: leave)**");
    expect(second.text).toContain("16 weeks");
  }, 10_000);

  it("uses the person's task list when they mention it, before any library, and shows what the tool said", async () => {
    const model = new OfflineModel();
    const tools = [{ name: "search_knowledge" }, { name: "tasks" }];
    const added = await model.ask(request([turn("@Assistant add 'send the Q3 numbers' to my list")], tools), {});
    expect(added.content[0]).toMatchObject({
      type: "tool_use",
      name: "tasks",
      input: { command: "add", title: "send the Q3 numbers" },
    });
    const asked = await model.ask(request([turn("what's on my list?")], tools), {});
    expect(asked.content[0]).toMatchObject({ type: "tool_use", name: "tasks", input: { command: "list" } });
    const result = "Ada's list, 1 open (today is Wed 2026-12-02, UTC):\n#1 send the Q3 numbers";
    const messages = [
      turn("what's on my list?"),
      { role: "assistant" as const, content: asked.content },
      { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: "x", content: result }] },
    ];
    const answer = await model.ask(request(messages as never, tools), {});
    expect(answer.text).toContain(
      "The task list says:\n\n> Ada's list, 1 open (today is Wed 2026-12-02, UTC):\n> #1 send the Q3 numbers",
    );
    // Without the tool (a bot without tasks) the same words are only echoed.
    expect((await model.ask(request([turn("what's on my list?")]), {})).stopReason).toBe("end_turn");
  }, 15_000);
  it("asked to catch up, reads the room through room_history since the asker's last message, then lists it with links", async () => {
    const model = new OfflineModel();
    const tools = [{ name: "search_knowledge" }, { name: "room_history" }];
    const first = await model.ask(request([turn("catch me up please")], tools), {});
    expect(first.stopReason).toBe("tool_use");
    expect(first.content[0]).toMatchObject({
      type: "tool_use",
      name: "room_history",
      input: { since_my_last_message: true },
    });
    const result = [
      "Ada Lovelace's last message here was 11, Tue, Dec 1, 2026, 09:00 (UTC) (/rooms/1/@11). Since then:",
      `1 message, Tue, Dec 1, 2026, 09:05 (UTC) to Tue, Dec 1, 2026, 09:05 (UTC), ${MESSAGE_LINES_SHAPE}, yours cut at 300 characters; link one as /rooms/1/@<id>:`,
      ...messageLines(
        [
          {
            id: 12,
            createdAt: "2026-12-01T09:05:00.000Z",
            text: "we ship Friday",
            creator: { name: "Grace Hopper" },
          },
        ],
        "UTC",
        2_000,
      ),
      "That is everything up to now.",
    ].join("\n");
    const messages = [
      turn("catch me up please"),
      { role: "assistant" as const, content: first.content },
      { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: "x", content: result }] },
    ];
    const second = await model.ask(request(messages as never, tools), {});
    expect(second.text).toMatch(/^\*\*Offline model\*\*/);
    expect(second.text).toContain("Ada Lovelace's last message here was 11");
    expect(second.text).toContain("- **Grace Hopper**: we ship Friday ([link](/rooms/1/@12))");
  }, 10_000);
});
