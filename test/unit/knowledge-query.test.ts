import { describe, expect, it } from "vitest";
import { ftsQuery, MAX_QUERY_TERMS } from "../../src/knowledge/query";

describe("ftsQuery", () => {
  it("quotes every word and joins them with OR", () => {
    expect(ftsQuery("How much parental leave?")).toBe('"how" OR "much" OR "parental" OR "leave"');
  });

  it("turns FTS5 operators and syntax into plain words or drops them", () => {
    expect(ftsQuery('leave AND "sick" NOT NEAR(a b, 3) -x ^y col:z pre*')).toBe(
      '"leave" OR "and" OR "sick" OR "not" OR "near" OR "a" OR "b" OR "3" OR "x" OR "y" OR "col" OR "z" OR "pre"',
    );
  });

  it("keeps letters of every script, with their accents and marks", () => {
    expect(ftsQuery("Überstunden café 休暇 नमस्ते")).toBe('"überstunden" OR "café" OR "休暇" OR "नमस्ते"');
  });

  it("is null when there is no word to search for", () => {
    for (const text of ["", "   ", '"*"', "🎉🔥", "-- ^ : ( )", "\u0000"]) expect(ftsQuery(text)).toBeNull();
  });

  it("asks once for a repeated word and keeps at most MAX_QUERY_TERMS words", () => {
    expect(ftsQuery("Leave leave LEAVE")).toBe('"leave"');
    const many = Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ");
    expect(ftsQuery(many)!.split(" OR ")).toHaveLength(MAX_QUERY_TERMS);
  });
});
