import { describe, expect, it } from "vitest";
import type { AskOptions, Model, ModelAnswer, ModelRequest } from "../../src/conversation/model";
import { type FailureKind, ServiceFailure } from "../../src/failure";
import { FallbackModel } from "../../src/objects/fallback";

const request: ModelRequest = {
  model: "claude-sonnet-5-5",
  maxTokens: 100,
  system: [],
  messages: [{ role: "user", content: "hi" }],
};

/** A model that answers with its name, or fails with each of `failures` in turn; it records the models it was asked for. */
function stub(name: string, failures: (ServiceFailure | Error)[] = []) {
  const asked: string[] = [];
  const model: Model = {
    async ask(req: ModelRequest, options?: AskOptions): Promise<ModelAnswer> {
      asked.push(req.model);
      const failure = failures.shift();
      if (failure) throw failure;
      options?.onText?.(`from ${name}`);
      return {
        text: `from ${name}`,
        stopReason: "end_turn",
        usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
        content: [],
        containerId: null,
      };
    },
  };
  return { model, asked };
}

const anthropic = (kind: FailureKind, status?: number) =>
  new ServiceFailure("anthropic", kind, `Claude's API answered ${status ?? kind}`, status);

describe("a bot's model with a fallback", () => {
  it.each<[string, ServiceFailure]>([
    ["overloaded (529)", anthropic("overloaded", 529)],
    ["overloaded mid-stream", anthropic("overloaded")],
    ["rate-limited (429)", anthropic("rate_limited", 429)],
    ["down (500)", anthropic("unavailable", 500)],
    ["down (503)", anthropic("unavailable", 503)],
    ["unreachable", anthropic("unreachable")],
    ["timing out", anthropic("timeout")],
  ])("answers with the fallback model when the primary is %s, streaming as usual", async (_, failure) => {
    const primary = stub("primary", [failure]);
    const fallback = stub("fallback");
    const shown: string[] = [];
    const answer = await new FallbackModel(primary.model, fallback.model, {
      botId: "agent",
      model: "claude-haiku-4-5",
    }).ask(request, { onText: (text) => shown.push(text) });
    expect(answer).toMatchObject({ text: "from fallback", fallbackModel: "claude-haiku-4-5" });
    expect(primary.asked).toEqual(["claude-sonnet-5-5"]);
    expect(fallback.asked).toEqual(["claude-haiku-4-5"]);
    expect(shown).toEqual(["from fallback"]);
  });

  it.each<[string, ServiceFailure | Error]>([
    ["a refused request (400)", anthropic("bad_request", 400)],
    ["a rejected key (401)", anthropic("key_rejected", 401)],
    ["a forbidden model (403)", anthropic("forbidden", 403)],
    ["a model that does not exist (404)", anthropic("not_found", 404)],
    ["the turn's own time limit", anthropic("turn_timeout")],
    ["a bug of the bot's own", new Error("undefined is not a function")],
  ])("does not fall back on %s: the primary's failure stands", async (_, failure) => {
    const fallback = stub("fallback");
    await expect(
      new FallbackModel(stub("primary", [failure]).model, fallback.model, {
        botId: "agent",
        model: "claude-haiku-4-5",
      }).ask(request),
    ).rejects.toBe(failure);
    expect(fallback.asked).toEqual([]);
  });

  it("answers with the primary, and says nothing of a fallback, while the primary answers", async () => {
    const fallback = stub("fallback");
    const answer = await new FallbackModel(stub("primary").model, fallback.model, {
      botId: "agent",
      model: "claude-haiku-4-5",
    }).ask(request);
    expect(answer.text).toBe("from primary");
    expect(answer.fallbackModel).toBeUndefined();
    expect(fallback.asked).toEqual([]);
  });

  it("keeps to the fallback for the rest of the turn once the primary failed", async () => {
    const primary = stub("primary", [anthropic("overloaded", 529)]);
    const fallback = stub("fallback");
    const turn = new FallbackModel(primary.model, fallback.model, { botId: "agent", model: "claude-haiku-4-5" });
    await turn.ask(request);
    await turn.ask(request);
    expect(primary.asked).toHaveLength(1);
    expect(fallback.asked).toHaveLength(2);
  });

  it("fails with the primary's failure when the fallback fails too, so the turn is retried as without one", async () => {
    const overloaded = anthropic("overloaded", 529);
    const fallback = stub("fallback", [anthropic("key_rejected", 401)]);
    await expect(
      new FallbackModel(stub("primary", [overloaded]).model, fallback.model, {
        botId: "agent",
        model: "claude-haiku-4-5",
      }).ask(request),
    ).rejects.toBe(overloaded);
    expect(fallback.asked).toHaveLength(1);
  });
});
