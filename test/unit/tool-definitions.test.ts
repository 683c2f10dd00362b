import { describe, expect, it } from "vitest";
import { DIGEST_TOOLS } from "../../src/digests/tools";
import { tasksTool } from "../../src/memory/tasks-tool";
import { TOOLS } from "../../src/tools";
import { toolDefinition } from "../../src/tools/tool";

describe("tool definitions as Claude is offered them", () => {
  it("leave out zod's safe-integer bounds, which cost tokens in every request and say nothing", () => {
    for (const tool of Object.values(TOOLS))
      expect(JSON.stringify(toolDefinition(tool))).not.toContain(String(Number.MAX_SAFE_INTEGER));
    expect(toolDefinition(TOOLS.cancel_reminder).input_schema.properties).toEqual({
      id: { type: "integer", exclusiveMinimum: 0, description: expect.any(String) },
    });
  });

  it("leave out every object's additionalProperties: false, since zod drops keys it does not know rather than refusing them", () => {
    for (const tool of [...Object.values(TOOLS), ...Object.values(DIGEST_TOOLS), tasksTool])
      expect(JSON.stringify(toolDefinition(tool))).not.toContain('"additionalProperties":false');
    expect(TOOLS.cancel_reminder.input.parse({ id: 3, reason: "no longer needed" })).toEqual({ id: 3 });
  });

  it("still refuses an input beyond those bounds, as zod checks it", () => {
    expect(TOOLS.cancel_reminder.input.safeParse({ id: 2 ** 60 }).success).toBe(false);
    expect(TOOLS.cancel_reminder.input.safeParse({ id: 3 }).success).toBe(true);
  });

  it("keep the task list to one tool of a few short fields, sent with every request of a bot that has it", () => {
    const definition = toolDefinition(tasksTool);
    expect(Object.keys(definition.input_schema.properties ?? {})).toEqual(["command", "id", "title", "due"]);
    expect(JSON.stringify(definition)).not.toContain(String(Number.MAX_SAFE_INTEGER));
    // About four characters a token, as the bench's prompt cache counts them.
    expect(JSON.stringify(definition).length / 4).toBeLessThan(180);
  });
});

describe("the digest tools' definitions", () => {
  it("cost a digests bot under 350 tokens in every request (≈ 4 characters a token)", () => {
    const definitions = Object.values(DIGEST_TOOLS).map((tool) => JSON.stringify(toolDefinition(tool)));
    expect(definitions.join("").length).toBeLessThan(1_400);
    for (const definition of definitions) expect(definition).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });
});
