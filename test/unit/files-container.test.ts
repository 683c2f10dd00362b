import { describe, expect, it } from "vitest";
import { codeExecutionTool, containerIdOf, containerParam } from "../../src/anthropic/container";

describe("containerParam", () => {
  it("loads Anthropic's document skills as anthropic ones and any other id as a custom one, at their latest version", () => {
    expect(containerParam(null, ["xlsx", "pdf", "skill_01AbCdEf"])).toEqual({
      skills: [
        { type: "anthropic", skill_id: "xlsx", version: "latest" },
        { type: "anthropic", skill_id: "pdf", version: "latest" },
        { type: "custom", skill_id: "skill_01AbCdEf", version: "latest" },
      ],
    });
  });

  it("names the conversation's container, so a follow-up works on the same files, with the skills again", () => {
    expect(containerParam("container_011Xyz", [])).toEqual({ id: "container_011Xyz" });
    expect(containerParam("container_011Xyz", ["docx"])).toEqual({
      id: "container_011Xyz",
      skills: [{ type: "anthropic", skill_id: "docx", version: "latest" }],
    });
  });

  it("is left out when there is neither a container nor a skill", () => {
    expect(containerParam(null, [])).toBeUndefined();
  });
});

describe("containerIdOf and codeExecutionTool", () => {
  it("reads the container an answer ran in, or null when no code ran", () => {
    expect(
      containerIdOf({ container: { id: "container_011Xyz", expires_at: "2026-11-02T10:00:00Z", skills: null } }),
    ).toBe("container_011Xyz");
    expect(containerIdOf({ container: null })).toBeNull();
  });

  it("enables the newest code execution tool", () => {
    expect(codeExecutionTool()).toEqual({ type: "code_execution_20260521", name: "code_execution" });
  });
});
