import { describe, expect, it } from "vitest";
import { type ConfigEnv, loadConfig } from "../../src/config";
import { actsForPeople } from "../../src/conversation/toolbox";
import { turnBatch } from "../../src/conversation/turn-request";

const ADA = 7;
const GRACE = 8;
const SCHEDULED = 0;

/** Waiting messages from these senders, in arrival order (seq 1, 2, …). */
const from = (...senders: number[]) => senders.map((userId, index) => ({ seq: index + 1, userId }));

describe("turnBatch", () => {
  it.each<[string, number[], boolean, number[]]>([
    ["nothing waits: nothing to answer", [], true, []],
    ["one sender: all of their messages together", [ADA, ADA, ADA], true, [1, 2, 3]],
    ["Ada then Grace: Ada's alone, Grace's next turn", [ADA, GRACE], true, [1]],
    ["Ada twice, Grace, Ada again: only Ada's leading run, order kept", [ADA, ADA, GRACE, ADA], true, [1, 2]],
    ["Grace first: Grace's leading run, Ada's later words wait", [GRACE, ADA, ADA], true, [1]],
    ["a scheduled task before a person: the task alone", [SCHEDULED, ADA], true, [1]],
    ["a person before a scheduled task: the person alone", [ADA, SCHEDULED], true, [1]],
    ["no person-scoped tools: everyone waiting together", [ADA, GRACE, ADA], false, [1, 2, 3]],
    ["no person-scoped tools, with a scheduled task: together", [ADA, SCHEDULED], false, [1, 2]],
  ])("%s", (_, senders, personScoped, seqs) => {
    expect(turnBatch(from(...senders), personScoped).map((message) => message.seq)).toEqual(seqs);
  });
});

describe("actsForPeople", () => {
  const bot = (entry: Record<string, unknown>) => {
    const config = loadConfig({
      CAMPFIRE_URL: "https://chat.example.com",
      SESSION_TTL: "",
      BOTS: { agent: { name: "Agent", ...entry } },
      ANTHROPIC_API_KEY: "sk-test",
    } as ConfigEnv);
    expect(config.problems.filter((problem) => problem.startsWith("BOTS.agent."))).toEqual([]);
    return config.bots.get("agent")!;
  };

  it.each<[string, Record<string, unknown>, boolean]>([
    ["a plain bot", {}, false],
    ["memory", { memory: true }, true],
    ["all reminder tools", { tools: ["reminders"] }, true],
    ["set_reminder alone: it sets the asker's reminder", { tools: ["set_reminder"] }, true],
    ["cancel_reminder alone: it cancels only the asker's reminders", { tools: ["cancel_reminder"] }, true],
    ["list_reminders alone: it lists the room's reminders, whoever asks", { tools: ["list_reminders"] }, false],
    ["digests: each person subscribes and cancels only their own", { digests: true }, true],
    [
      "room history and knowledge: the room's and the library's, not a person's",
      { tools: ["room_history"], knowledge: ["handbook"] },
      false,
    ],
  ])("%s → %s", (_, entry, expected) => {
    expect(actsForPeople(bot(entry))).toBe(expected);
  });
});
