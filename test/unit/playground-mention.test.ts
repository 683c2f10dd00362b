import { describe, expect, it } from "vitest";
import { webhookRoom, webhookText } from "../../src/playground/mention";

describe("webhookText (which playground messages reach the bot)", () => {
  it("sends nothing for a shared-room message that does not mention the bot", () => {
    expect(webhookText("lunch at noon?", "Assistant", true)).toBeNull();
    expect(webhookText("ask the Assistant later", "Assistant", true)).toBeNull();
  });

  it("sends a mentioned message without the mention, whatever its case and place", () => {
    expect(webhookText("@Assistant what's up?", "Assistant", true)).toBe("what's up?");
    expect(webhookText("hey @assistant, what's up?", "Assistant", true)).toBe("hey , what's up?");
    expect(webhookText("what's up  @ASSISTANT", "Assistant", true)).toBe("what's up");
  });

  it("sends an empty text for a bare mention, as Campfire does", () => {
    expect(webhookText("  @Assistant ", "Assistant", true)).toBe("");
  });

  it("does not take a longer name for the bot's", () => {
    expect(webhookText("@Assistants unite", "Assistant", true)).toBeNull();
    expect(webhookText("@Butler hi", "Assistant", true)).toBeNull();
  });

  it("treats the bot's name as text, not a pattern", () => {
    expect(webhookText("@R2.D2 beep", "R2.D2", true)).toBe("beep");
    expect(webhookText("@R2xD2 beep", "R2.D2", true)).toBeNull();
  });

  it("sends every direct-room message as it is", () => {
    expect(webhookText("lunch at noon?", "Assistant", false)).toBe("lunch at noon?");
    expect(webhookText("@Assistant hi", "Assistant", false)).toBe("@Assistant hi");
  });

  it("runs on its own, as the page embeds its source", () => {
    const embedded = new Function(`return (${String(webhookText)})`)() as typeof webhookText;
    expect(embedded("@Assistant hi", "Assistant", true)).toBe("hi");
  });
});

describe("webhookRoom (the room a playground webhook names)", () => {
  it("sends a direct room with no name, as Campfire does, and a shared room with its name", () => {
    expect(webhookRoom({ id: 107, name: "Direct: Ada", direct: true }, "1-PlaygroundAs")).toEqual({
      id: 107,
      name: null,
      path: "/rooms/107/1-PlaygroundAs/messages",
    });
    expect(webhookRoom({ id: 1, name: "Watercooler", direct: false }, "1-PlaygroundAs")).toEqual({
      id: 1,
      name: "Watercooler",
      path: "/rooms/1/1-PlaygroundAs/messages",
    });
  });

  it("runs on its own, as the page embeds its source", () => {
    const embedded = new Function(`return (${String(webhookRoom)})`)() as typeof webhookRoom;
    expect(embedded({ id: 108, name: "Direct: Grace", direct: true }, "1-PlaygroundAs").name).toBeNull();
  });
});
