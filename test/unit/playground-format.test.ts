import { describe, expect, it } from "vitest";
import { formatBytes } from "../../src/bytes";
import { forgetsIn } from "../../src/playground/format";

describe("forgetsIn (the playground's countdown)", () => {
  it.each([
    [86_399_000, "23 h 59 min"],
    [86_400_000, "24 h 0 min"],
    [3_600_000, "1 h 0 min"],
    [3_599_000, "59 min"],
    [300_000, "5 min"],
    [60_000, "1 min"],
    [59_000, "59 s"],
    [7_200, "8 s"],
    [1, "1 s"],
    [0, "0 s"],
    [-5_000, "0 s"],
  ])("says %d ms as %j", (ms, text) => {
    expect(forgetsIn(ms)).toBe(text);
  });

  it("never shows raw seconds for a day-long TTL", () => {
    expect(forgetsIn(24 * 3_600_000 - 1)).not.toMatch(/\d{3,} s/);
  });

  it("runs on its own, as the page embeds its source", () => {
    const embedded = new Function(`return (${String(forgetsIn)})`)() as typeof forgetsIn;
    expect(embedded(90 * 60_000)).toBe("1 h 30 min");
  });
});

describe("formatBytes (the playground's file chip, and every size the bot states)", () => {
  it.each([
    [1, "1 byte"],
    [812, "812 bytes"],
    [1024, "1.0 KB"],
    [4_300, "4.2 KB"],
    [1_572_864, "1.5 MB"],
    [512 * 1024, "512 KB"],
    [25 * 1024 * 1024, "25.0 MB"],
  ])("says %d bytes as %j", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("formatBytes embedded in the page", () => {
  it("runs on its own, as the page embeds its source", () => {
    const embedded = new Function(`return (${String(formatBytes)})`)() as typeof formatBytes;
    expect(embedded(4_300)).toBe("4.2 KB");
  });
});
