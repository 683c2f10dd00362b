import { describe, expect, it } from "vitest";
import { type FoldSnapshot, summaryBound, turnsToFold } from "../../src/conversation/compaction";
import { historyMessages } from "../../src/conversation/prompt";
import type { Summary, Turn } from "../../src/conversation/transcript";
import { usageOf } from "../../src/objects/claude";

/** A question of `asked` tokens and its answer of `answered` tokens (4 characters a token, as the estimate counts). */
const exchange = (asked: number, answered: number): Turn[] => [
  { role: "user", content: "q".repeat(4 * asked) },
  { role: "assistant", content: "a".repeat(4 * answered) },
];
const exchanges = (count: number, tokens: number): Turn[] =>
  Array.from({ length: count }, () => exchange(tokens / 2, tokens / 2)).flat();

const snapshot = (turns: Turn[], more: Partial<FoldSnapshot> = {}): FoldSnapshot => ({
  turns,
  summaryTokens: 0,
  budget: 30_000,
  cold: false,
  ...more,
});

describe("turnsToFold: which of the oldest turns go into the summary", () => {
  it.each<[string, FoldSnapshot, number]>([
    ["no history yet: nothing", snapshot([], { cold: true }), 0],
    [
      "soon after the last turn, within the budget: nothing (the cached history stays as it is)",
      snapshot(exchanges(10, 400)),
      0,
    ],
    [
      "after a break, 4 000 tokens of history: all but the newest 1 024 tokens or so, whole exchanges",
      snapshot(exchanges(10, 400), { cold: true }),
      16,
    ],
    [
      "after a break, 2 000 tokens: too little would go in to pay for the summary's output",
      snapshot(exchanges(5, 400), { cold: true }),
      0,
    ],
    [
      "over a 4 000-token budget: down to three quarters of it, less the summary's 512",
      snapshot(exchanges(12, 400), { budget: 4_000 }),
      12,
    ],
    [
      "within the budget by its turns, over it with the summary kept so far: the summary counts",
      snapshot(exchanges(8, 400), { budget: 4_000, summaryTokens: 900 }),
      4,
    ],
    ["the same turns without a summary: within the budget, nothing", snapshot(exchanges(8, 400), { budget: 4_000 }), 0],
    [
      "never the newest exchange, however large it is",
      snapshot([...exchange(200, 200), ...exchange(2_500, 2_500)], { budget: 4_000 }),
      2,
    ],
  ])("%s", (_, input, expected) => {
    expect(turnsToFold(input)).toBe(expected);
  });

  it("always folds whole exchanges: a kept history starts with a question", () => {
    const turns = [...exchange(100, 900), ...exchange(700, 50), ...exchange(30, 30), ...exchange(400, 400)];
    for (const budget of [500, 1_000, 1_500, 2_000, 3_000])
      for (const cold of [false, true]) {
        const fold = turnsToFold(snapshot(turns, { budget, cold }));
        expect(fold % 2, `budget ${budget}, cold ${cold}`).toBe(0);
        expect(turns.length - fold).toBeGreaterThanOrEqual(2);
      }
  });

  it.each([
    [30_000, 512],
    [1_200, 300],
    [500, 125],
  ])("bounds the summary of a %i-token history budget at %i tokens", (budget, bound) => {
    expect(summaryBound(budget)).toBe(bound);
  });
});

describe("the summary in a request", () => {
  const summary: Summary = {
    block: { type: "compaction", content: "Ada decided: launch on Friday.", encrypted_content: null, signature: "sig" },
    upto: null,
  };

  it("comes first, as the assistant message the API returned, unchanged; the history's breakpoint is on the newest turn", () => {
    const messages = historyMessages({ summary, turns: exchange(10, 10) }, "1h");
    expect(messages.map((message) => message.role)).toEqual(["assistant", "user", "assistant"]);
    expect(messages[0]!.content).toEqual([summary.block]);
    expect(JSON.stringify(messages[2])).toContain('"cache_control":{"type":"ephemeral","ttl":"1h"}');
  });

  it("carries the history's breakpoint itself when no turn follows it", () => {
    const [message] = historyMessages({ summary, turns: [] }, "5m");
    expect(message!.content).toEqual([{ ...summary.block, cache_control: { type: "ephemeral", ttl: "5m" } }]);
  });
});

describe("usageOf with a summary", () => {
  const none = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };

  it("counts a summary's tokens, which the API reports as a compaction iteration apart from the top-level fields", () => {
    const usage = {
      ...none,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: "standard",
      speed: null,
      fallback_credit: null,
      iterations: [
        {
          ...none,
          type: "compaction",
          input_tokens: 800,
          output_tokens: 120,
          cache_read_input_tokens: 300,
          cache_creation_input_tokens: 40,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 40 },
        },
      ],
    } as const;
    expect(usageOf(usage)).toEqual({ input: 800, output: 120, cacheRead: 300, cacheWrite: 40, cacheWrite1h: 40 });
  });
});
