import { describe, expect, it } from "vitest";
import { TEST_KEYS } from "../bots";
import { campfirePayload, fakeAnthropic, newRoomId, postWebhook, type RecordedRequest } from "./helpers";

/** The model request for one message to `bot`. */
async function firstRequest(
  bot: "steady" | "assistant",
): Promise<RecordedRequest & { body: { temperature?: number } }> {
  const marker = `p${newRoomId()}`;
  const response = await postWebhook(
    campfirePayload({ roomId: newRoomId(), text: marker, key: TEST_KEYS[bot], roomName: "Launch" }),
    { botId: bot },
  );
  expect(response.status).toBe(204);
  await expect.poll(() => fakeAnthropic.requestsMentioning(marker), { timeout: 10_000 }).toHaveLength(1);
  return (await fakeAnthropic.requestsMentioning(marker))[0]!;
}

describe("a bot whose prompt is a bundled Markdown file, with a temperature", () => {
  it("sends the file's text as its cached system prompt, placeholders filled", async () => {
    const request = await firstRequest("steady");
    const [system] = request.body.system as { text: string; cache_control?: unknown }[];
    expect(system!.text).toMatch(
      /^You are Steady, a helpful assistant in a Campfire chat room\. Answer questions about the company from the handbook/,
    );
    expect(system!.text).toContain("Dates and times are in UTC unless someone says otherwise.");
    expect(system!.text).toContain('You are Steady, a bot in the Campfire chat room "Launch"');
    expect(system!.text).not.toContain("{{");
    expect(system!.cache_control).toBeDefined();
  });

  it("sends its temperature with the request, which the API accepts; a bot without one sends none", async () => {
    const steady = await firstRequest("steady");
    expect(steady.body.temperature).toBe(0.2);
    expect(steady.usage).toBeDefined();
    expect((await firstRequest("assistant")).body).not.toHaveProperty("temperature");
  });
});
