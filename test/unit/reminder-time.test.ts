import { describe, expect, it } from "vitest";
import type { ToolContext } from "../../src/tools/tool";
import { setReminder } from "../../src/tools/reminders";

const now = new Date("2026-11-20T10:00:00Z");
const context = {
  now,
  timeZone: "Europe/Berlin",
  asker: { id: 7, name: "Ada Lovelace" },
  reminders: { add: () => 1, all: () => [], cancel: () => false },
} as unknown as ToolContext;
const refusal = (at: string) =>
  setReminder.run({ at, text: "stretch" }, context).then(
    () => "set",
    (error: Error) => error.message,
  );

describe("set_reminder's refusals say the real reason", () => {
  it.each(["in 20000000 weeks", "in 99999999999999999999 days"])(
    "refuses %j as more than a year ahead, naming the words",
    async (at) => {
      expect(await refusal(at)).toBe(`"${at}" is more than a year ahead; reminders can be set up to one year ahead.`);
    },
  );

  it("refuses a date past the horizon by its date in the bot's time zone", async () => {
    expect(await refusal("2028-01-01T09:00")).toMatch(
      /^Sat, Jan 1, 2028, 09:00 \(Europe\/Berlin\) is more than a year ahead/,
    );
  });

  it("still sets one within the year", async () => {
    expect(await refusal("in 3 weeks")).toBe("set");
  });
});
