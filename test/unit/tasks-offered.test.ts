import type { ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import type { Room } from "../../src/campfire/room";
import { type ConfigEnv, loadConfig } from "../../src/config";
import { consultBot } from "../../src/conversation/consult";
import type { Model, ModelRequest } from "../../src/conversation/model";
import { toolbox, toolsFor } from "../../src/conversation/toolbox";
import { turnRequest } from "../../src/conversation/turn-request";
import type { ReminderBook } from "../../src/tools/tool";

const config = loadConfig({
  CAMPFIRE_URL: "https://chat.example.com",
  SESSION_TTL: "",
  BOTS: {
    keeper: { name: "Keeper", memory: true, tasks: true, tools: ["reminders"], time_zone: "Europe/Berlin" },
    caller: { name: "Caller", consult: ["keeper"] },
  },
  ANTHROPIC_API_KEY: "sk-test",
  BOT_KEY_KEEPER: "4-KeeperKey123",
  BOT_KEY_CALLER: "5-CallerKey123",
} as ConfigEnv);
const keeper = config.bots.get("keeper")!;
const ada = { id: 7, name: "Ada Lovelace" };
const nobody = { id: 0, name: "Scheduled task" };
const names = (tools: ToolUnion[] = []) => tools.map((tool) => ("name" in tool ? tool.name : tool.type));

describe("the tasks tool", () => {
  it("is offered to a turn that speaks for someone, whose system prompt says whose list it is and how it becomes a reminder", () => {
    const request = turnRequest({
      bot: keeper,
      roomName: "Launch",
      history: { summary: null, turns: [] },
      pending: [{ userName: ada.name, text: "what's on my list?" }],
      context: null,
      now: new Date(),
      asker: ada,
      memory: true,
      consultable: [],
      cache: { system: "1h", history: "5m", turn: "5m" },
    });
    expect(names(request.tools)).toContain("tasks");
    expect(request.system[0]!.text).toMatch(
      /belongs to the person who wrote the newest message, and is the same in every room\. Due dates are days in Europe\/Berlin\. When someone wants to be reminded of a task, also call set_reminder/,
    );
    expect(request.system[0]!.text).not.toContain("Ada");
  });

  it("is not offered to a scheduled turn, which speaks for no one", () => {
    expect(names(toolsFor(keeper, toolbox(keeper, [], nobody), false))).not.toContain("tasks");
  });

  it("is not offered to a bot consulted by another: it answers no one's list", async () => {
    const offered: string[][] = [];
    const model: Model = {
      async ask(request: ModelRequest) {
        offered.push(names(request.tools));
        return {
          text: "an answer",
          stopReason: "end_turn",
          usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
          content: [],
          containerId: null,
        };
      },
    };
    const reminders: ReminderBook = { add: () => 1, all: () => [], cancel: () => false };
    await consultBot({
      model,
      caller: config.bots.get("caller")!,
      other: keeper,
      question: "What is on Ada's list?",
      context: { botId: "caller", room: {} as Room, reminders, asker: ada, timeZone: "UTC", now: new Date() },
      knowledge: undefined,
      signal: new AbortController().signal,
      onAsk: () => {},
    });
    expect(offered).toEqual([[]]);
  });
});
