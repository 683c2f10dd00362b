import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["5m", 300_000],
    ["1.5h", 5_400_000],
    ["2d", 172_800_000],
    ["3600", 3_600_000],
    [" 10 M ", 600_000],
    [".5h", 1_800_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toEqual({ ms });
  });

  it.each(["", "soon", "5 minutes", "-5m", "1e3", "5w", "0", "0.4s"])(
    "refuses %j with a sentence that shows the expected form",
    (text) => {
      const result = parseDuration(text);
      expect(result).toHaveProperty("error");
      expect((result as { error: string }).error).toMatch(/90s|1s/);
    },
  );
});

describe("formatDuration", () => {
  it.each([
    [90_000, "1.5m"],
    [300_000, "5m"],
    [5_400_000, "1.5h"],
    [172_800_000, "2d"],
    [4_000, "4s"],
  ])("writes %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
