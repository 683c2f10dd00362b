import { createServer, type Server } from "node:http";
import Anthropic, { type APIError, RateLimitError } from "@anthropic-ai/sdk";
import type { ContentBlock } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic.ts";
import { type FakeCampfire, startFakeCampfire } from "../fakes/campfire.ts";

// The fakes stand in for real services in every other test, so they are held to the real services' behaviour.
let anthropic: FakeAnthropic;
let campfire: FakeCampfire;
let client: Anthropic;
const KEY = "4-GZfqGLxdULBM";

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  campfire = await startFakeCampfire({ botKeys: [KEY] });
  client = new Anthropic({ apiKey: "sk-ant-fake", baseURL: anthropic.url, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([anthropic.close(), campfire.close()]);
});

const ask = (content: string) => ({
  model: "claude-sonnet-5-5",
  max_tokens: 100,
  messages: [{ role: "user" as const, content }],
});

describe("fake Anthropic, through the real SDK", () => {
  it("answers non-streaming and streaming requests alike, sent with a bearer key and the API version", async () => {
    const plain = await client.messages.create(ask("hi"));
    expect(plain.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("Echo: hi") });
    const streamed = await client.messages.stream(ask("hi again")).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("Echo: hi again") });
    expect(streamed.usage.output_tokens).toBeGreaterThan(0);
    const request = anthropic.requests.at(-1)!;
    expect(request.headers.authorization).toBe("Bearer [redacted]");
    expect(request.headers["anthropic-version"]).toBeTruthy();
  });

  it("rate-limits with retry-after as scripted, then answers", async () => {
    const directive = "[fake:status=429,retryAfter=3,times=1,id=fakes-a]";
    const error = await client.messages.create(ask(`x ${directive}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get("retry-after")).toBe("3");
    await expect(client.messages.create(ask(`x ${directive}`))).resolves.toMatchObject({ stop_reason: "end_turn" });
  });

  it("reports overload as 529 and rejects empty text blocks with 400, as the real API does", async () => {
    const overloaded = await client.messages.create(ask("y [fake:status=529,id=fakes-b]")).catch((e: unknown) => e);
    expect((overloaded as APIError).status).toBe(529);
    const empty = await client.messages
      .create({ ...ask("z"), messages: [{ role: "user", content: [{ type: "text", text: "" }] }] })
      .catch((e: unknown) => e);
    expect((empty as APIError).status).toBe(400);
    expect((empty as APIError).message).toMatch(/non-empty/);
  });

  it("reads a repeated prefix from the cache", async () => {
    const system = [{ type: "text" as const, text: "S".repeat(4_000), cache_control: { type: "ephemeral" as const } }];
    const first = await client.messages.create({ ...ask("cache one"), system });
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(900);
    const second = await client.messages.create({ ...ask("cache two"), system });
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
  });
});

describe("fake Anthropic: an honest prompt cache on a virtual clock", () => {
  let clock = 0;
  let cached: FakeAnthropic;
  let sdk: Anthropic;
  beforeAll(async () => {
    cached = await startFakeAnthropic({ now: () => clock, minCacheTokens: 1024 });
    sdk = new Anthropic({ apiKey: "sk-ant-fake", baseURL: cached.url, maxRetries: 0 });
  });
  afterAll(() => cached.close());

  type Control = { type: "ephemeral"; ttl?: "5m" | "1h" };
  const long = (letter: string, control?: Control) => ({
    type: "text" as const,
    text: letter.repeat(6_000),
    ...(control ? { cache_control: control } : {}),
  });
  const send = (system: ReturnType<typeof long>[], at: number, words = "question") => {
    clock = at;
    return sdk.messages.stream({ ...ask(words), system }).finalMessage();
  };
  const MINUTE = 60_000;

  it("keeps a 5-minute entry alive for 5 minutes after its last read, and bills the write by its ttl", async () => {
    cached.reset();
    const system = [long("A", { type: "ephemeral" })];
    const first = await send(system, 0);
    expect(first.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: first.usage.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    });
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
    // Read at 4 minutes, so it lives until 9; at 10 it is gone and written again.
    expect((await send(system, 4 * MINUTE)).usage.cache_read_input_tokens).toBe(
      first.usage.cache_creation_input_tokens,
    );
    expect((await send(system, 8 * MINUTE)).usage.cache_read_input_tokens).toBe(
      first.usage.cache_creation_input_tokens,
    );
    const late = await send(system, 14 * MINUTE);
    expect(late.usage.cache_read_input_tokens).toBe(0);
    expect(late.usage.cache_creation_input_tokens).toBe(first.usage.cache_creation_input_tokens);
  });

  it("keeps a 1-hour entry through a 50-minute pause, billed as a 1-hour write, and not past an hour", async () => {
    cached.reset();
    const system = [long("B", { type: "ephemeral", ttl: "1h" })];
    const first = await send(system, 0);
    expect(first.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 0,
      ephemeral_1h_input_tokens: first.usage.cache_creation_input_tokens,
    });
    expect((await send(system, 50 * MINUTE)).usage.cache_read_input_tokens).toBe(
      first.usage.cache_creation_input_tokens,
    );
    expect((await send(system, 111 * MINUTE)).usage.cache_read_input_tokens).toBe(0);
  });

  it("bills a request with both ttls as the API does: 1-hour writes up to the last 1-hour breakpoint, 5-minute after it", async () => {
    cached.reset();
    const first = await send([long("C", { type: "ephemeral", ttl: "1h" }), long("D", { type: "ephemeral" })], 0);
    const { ephemeral_1h_input_tokens: hour, ephemeral_5m_input_tokens: five } = first.usage.cache_creation!;
    expect(hour).toBeGreaterThan(1024);
    expect(five).toBeGreaterThan(1024);
    // After 20 minutes only the 1-hour prefix is left: it is read, the rest written again.
    const later = await send(
      [long("C", { type: "ephemeral", ttl: "1h" }), long("D", { type: "ephemeral" })],
      20 * MINUTE,
    );
    expect(later.usage.cache_read_input_tokens).toBe(hour);
    expect(later.usage.cache_creation!.ephemeral_5m_input_tokens).toBe(five);
  });

  it("caches nothing shorter than the minimum cacheable length", async () => {
    cached.reset();
    const short = [{ type: "text" as const, text: "E".repeat(2_000), cache_control: { type: "ephemeral" as const } }];
    clock = 0;
    const first = await sdk.messages.create({ ...ask("short"), system: short });
    const second = await sdk.messages.create({ ...ask("short"), system: short });
    expect(first.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
  });

  it("refuses more than 4 breakpoints, and a 1-hour breakpoint after a 5-minute one, with 400 as the API does", async () => {
    const five = [..."FGHIJ"].map((letter) => long(letter, { type: "ephemeral" }));
    const tooMany = await send(five, 0).catch((e: unknown) => e);
    expect((tooMany as APIError).status).toBe(400);
    expect((tooMany as APIError).message).toMatch(/maximum of 4 blocks with cache_control/);
    const misordered = await send(
      [long("K", { type: "ephemeral" }), long("L", { type: "ephemeral", ttl: "1h" })],
      0,
    ).catch((e: unknown) => e);
    expect((misordered as APIError).status).toBe(400);
    expect((misordered as APIError).message).toMatch(/ttl='1h'.*after.*ttl='5m'/);
  });
});

describe("fake Anthropic: code execution and the Files API", () => {
  const tools = [{ type: "code_execution_20260521" as const, name: "code_execution" as const }];
  const fileIdOf = (content: ContentBlock[]) => {
    const result = content.find((block) => block.type === "bash_code_execution_tool_result");
    return result?.content.type === "bash_code_execution_result" ? result.content.content[0]!.file_id : undefined;
  };

  it("answers a file directive like a code-execution turn, streamed or not, and serves the file", async () => {
    const plain = await client.messages.create({ ...ask("make numbers [fake:file=numbers.csv]"), tools });
    expect(plain.content.map((block) => block.type)).toEqual([
      "text",
      "server_tool_use",
      "bash_code_execution_tool_result",
      "text",
    ]);
    expect(plain.container?.id).toMatch(/^container_fake_/);
    const fileId = fileIdOf(plain.content)!;
    const metadata = await client.files.retrieveMetadata(fileId);
    expect(metadata).toMatchObject({
      type: "file",
      filename: "numbers.csv",
      mime_type: "text/csv",
      downloadable: true,
    });
    const bytes = new Uint8Array(await (await client.files.download(fileId)).arrayBuffer());
    expect(bytes.length).toBe(metadata.size_bytes);
    expect(new TextDecoder().decode(bytes)).toContain("n,square");

    const streamed = await client.messages
      .stream({ ...ask("again [fake:file=report.xlsx]"), tools, container: plain.container!.id })
      .finalMessage();
    expect(streamed.container?.id).toBe(plain.container!.id);
    expect(streamed.content[1]).toMatchObject({
      type: "server_tool_use",
      name: "bash_code_execution",
      input: { command: expect.stringContaining("report.xlsx") },
    });
    expect((await client.files.retrieveMetadata(fileIdOf(streamed.content)!)).filename).toBe("report.xlsx");
  });

  it("refuses a file directive without the code-execution tool, and bad skills, with 400", async () => {
    const missing = await client.messages.create(ask("make [fake:file=a.csv]")).catch((e: unknown) => e);
    expect((missing as APIError).status).toBe(400);
    expect((missing as APIError).message).toMatch(/code_execution/);
    const badSkill = { skills: [{ type: "builtin", skill_id: "xlsx" }] } as unknown as { skills: [] };
    const refused = await client.messages
      .create({ ...ask("make [fake:file=a.csv]"), tools, container: badSkill })
      .catch((e: unknown) => e);
    expect((refused as APIError).message).toMatch(/container\.skills\.0\.type/);
  });

  it("reports the requested skills, claims 26 MB for a huge file, 404s unknown files, and records Files calls apart", async () => {
    const skills = [{ type: "anthropic" as const, skill_id: "xlsx", version: "latest" }];
    const answer = await client.messages.create({
      ...ask("big [fake:file=big.csv,huge]"),
      tools,
      container: { skills },
    });
    expect(answer.container?.skills).toEqual(skills);
    const before = anthropic.requests.length;
    expect((await client.files.retrieveMetadata(fileIdOf(answer.content)!)).size_bytes).toBe(26 * 1024 * 1024);
    const unknown = await client.files.retrieveMetadata("file_nope").catch((e: unknown) => e);
    expect((unknown as APIError).status).toBe(404);
    expect(anthropic.requests.length).toBe(before);
    expect(anthropic.fileRequests.slice(-2).map((r) => r.path)).toEqual([
      `/v1/files/${fileIdOf(answer.content)}`,
      "/v1/files/file_nope",
    ]);
  });
});

describe("fake Campfire", () => {
  const post = (path: string, body: string) => fetch(campfire.url + path, { method: "POST", body, redirect: "manual" });

  it("answers the bot API as Campfire does: 201 + Location, 422, 302, and reads and edits", async () => {
    const created = await post(`/rooms/1/${KEY}/messages`, "<p>hello</p>");
    expect(created.status).toBe(201);
    const id = Number(created.headers.get("location")!.split("/").pop());
    expect((await post(`/rooms/1/${KEY}/messages`, "  ")).status).toBe(422);
    const wrong = await post(`/rooms/1/4-WRONGWRONGWR/messages`, "x");
    expect(wrong.status).toBe(302);
    expect(wrong.headers.get("location")).toBe("/session/new");

    const edit = await fetch(`${campfire.url}/rooms/1/${KEY}/messages/${id}`, {
      method: "PATCH",
      body: "<p>edited</p>",
    });
    expect(edit.ok).toBe(true);
    expect(campfire.messages(1)[0]).toMatchObject({ body: "<p>edited</p>", edits: ["<p>hello</p>"] });
  });

  it("pages reads oldest first, and an older Campfire answers 404 to them", async () => {
    for (let i = 0; i < 45; i++) campfire.say(2, { id: 3, name: "Ada" }, `m${i}`);
    const page = await fetch(`${campfire.url}/rooms/2/${KEY}/messages`);
    const messages = (await page.json()) as { body: { plain_text: string } }[];
    expect(messages).toHaveLength(40);
    expect(messages[0]!.body.plain_text).toBe("m5");
    expect(page.headers.get("x-total-count")).toBe("45");
    expect(page.headers.get("link")).toMatch(/rel="next"/);
    campfire.setLegacy(true);
    expect((await fetch(`${campfire.url}/rooms/2/${KEY}/messages`)).status).toBe(404);
    campfire.setLegacy(false);
  });

  it("takes a multipart file in the field attachment as a file message with no text", async () => {
    const form = new FormData();
    form.append("attachment", new File(["a,b\n1,2\n"], "numbers.csv", { type: "text/csv" }));
    const created = await fetch(`${campfire.url}/rooms/20/${KEY}/messages`, { method: "POST", body: form });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(/\/messages\/\d+$/);
    expect(campfire.messages(20)[0]).toMatchObject({
      body: "",
      attachment: { name: "numbers.csv", type: "text/csv", size: 8 },
    });
    const other = new FormData();
    other.append("file", new File(["x"], "x.txt"));
    expect((await fetch(`${campfire.url}/rooms/20/${KEY}/messages`, { method: "POST", body: other })).status).toBe(422);
    const seen = (await (await fetch(`${campfire.url}/_fake/messages?room=20`)).json()) as { attachment?: unknown }[];
    expect(seen).toHaveLength(1);
  });

  it("reads a file message back with the file's name as its plain text, the name kept as Active Storage keeps it", async () => {
    const form = new FormData();
    form.append("attachment", new File(["x"], " q3:report.csv ", { type: "text/csv" }));
    expect((await fetch(`${campfire.url}/rooms/22/${KEY}/messages`, { method: "POST", body: form })).status).toBe(201);
    const [file] = (await (await fetch(`${campfire.url}/rooms/22/${KEY}/messages`)).json()) as {
      body: { plain_text: string };
    }[];
    expect(file!.body.plain_text).toBe("q3-report.csv");
  });

  it("boosts as Campfire does: 201 + JSON, 422 when empty, DELETE 204 then 404, 404 on an older Campfire", async () => {
    const id = Number(
      (await post(`/rooms/21/${KEY}/messages`, "<p>boost me</p>")).headers.get("location")!.split("/").pop(),
    );
    const boosts = `${campfire.url}/rooms/21/${KEY}/messages/${id}/boosts`;
    const created = await fetch(boosts, { method: "POST", body: "👀" });
    expect(created.status).toBe(201);
    const boost = (await created.json()) as { id: number; content: string };
    expect(boost).toMatchObject({ id: expect.any(Number), content: "👀" });
    expect(await fetch(`${campfire.url}/_fake/boosts?room=21`).then((r) => r.json())).toMatchObject([
      { id: boost.id, messageId: id, content: "👀" },
    ]);
    expect((await fetch(boosts, { method: "POST", body: " " })).status).toBe(422);
    expect((await fetch(`${boosts}/${boost.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${boosts}/${boost.id}`, { method: "DELETE" })).status).toBe(404);
    expect(campfire.boosts(21)).toEqual([]);
    campfire.setLegacy(true, 21);
    expect((await fetch(boosts, { method: "POST", body: "👀" })).status).toBe(404);
    campfire.setLegacy(false, 21);
  });

  describe("delivers webhooks with Campfire's rules", () => {
    let target: Server;
    let url = "";
    beforeAll(async () => {
      target = createServer((request, response) => {
        const mode = request.url!.slice(1);
        if (mode === "text") response.writeHead(200, { "content-type": "text/plain" }).end("hi from the bot");
        else if (mode === "json") response.writeHead(200, { "content-type": "application/json" }).end("{}");
        else if (mode === "slow") setTimeout(() => response.writeHead(204).end(), 1_500);
        else response.writeHead(204).end();
      });
      await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
    });
    afterAll(() => target.close());

    const payload = (roomId: number) => ({ room: { id: roomId, name: "R", path: `/rooms/${roomId}/${KEY}/messages` } });

    it.each([
      ["text", "message", "hi from the bot", 10],
      ["json", "attachment", "attachment", 11],
      ["slow", "timeout", "Failed to respond within 7 seconds", 12],
      ["ack", "nothing", undefined, 13],
    ])("a %s answer → %s", async (mode, outcome, posted, roomId) => {
      const delivery = await campfire.deliver(`${url}/${mode}`, payload(roomId), { timeoutMs: 1_000 });
      expect(delivery.outcome).toBe(outcome);
      expect(campfire.messages(roomId)[0]?.body).toBe(posted);
    });
  });
});
