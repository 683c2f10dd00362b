import Anthropic from "@anthropic-ai/sdk";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ServiceFailure } from "../../src/failure";
import { codeExecutionTool, containerIdOf, containerParam } from "../../src/anthropic/container";
import { fetchProducedFile, FILE_LIMIT_BYTES } from "../../src/anthropic/files";
import { producedFileIds } from "../../src/anthropic/produced";

const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: env.ANTHROPIC_BASE_URL, maxRetries: 0 });

let serial = 0;
/** A turn in which Claude's code wrote `file` (the fake scripts it), with the bot's tool and container fields. */
async function codeTurn(file: string, options: { huge?: boolean; containerId?: string | null } = {}) {
  const directive = `[fake:file=${file}${options.huge ? ",huge" : ""},id=dl-${Date.now()}-${serial++}]`;
  const container = containerParam(options.containerId ?? null, ["xlsx"]);
  return client.messages.create({
    model: "claude-sonnet-5-5",
    max_tokens: 500,
    tools: [codeExecutionTool()],
    ...(container ? { container } : {}),
    messages: [{ role: "user", content: `make ${file} ${directive}` }],
  });
}

const downloadsOf = async (fileId: string) => {
  const requests = (await (await fetch(`${env.ANTHROPIC_BASE_URL}/_fake/file-requests`)).json()) as { path: string }[];
  return requests.filter((request) => request.path === `/v1/files/${fileId}/content`);
};

describe("fetchProducedFile", () => {
  it("downloads the file Claude's code wrote, with its name, type and size", async () => {
    const answer = await codeTurn("numbers.csv");
    const [fileId] = producedFileIds(answer.content);
    const file = await fetchProducedFile(client, fileId!, FILE_LIMIT_BYTES);
    if (file.kind !== "file") throw new Error(`expected the file, got ${file.kind}`);
    expect(file).toMatchObject({ name: "numbers.csv", type: "text/csv", size: file.bytes.length });
    expect(new TextDecoder().decode(file.bytes)).toMatch(/^n,square\n1,1\n/);
  });

  it("does not download a file over the limit, and says how big it is", async () => {
    const answer = await codeTurn("big.csv", { huge: true });
    const [fileId] = producedFileIds(answer.content);
    expect(await fetchProducedFile(client, fileId!, FILE_LIMIT_BYTES)).toEqual({
      kind: "too_large",
      name: "big.csv",
      size: 26 * 1024 * 1024,
    });
    expect(await downloadsOf(fileId!)).toEqual([]);
  });

  it("stops reading a download that outgrows the limit its metadata promised to keep", async () => {
    const [fileId] = producedFileIds((await codeTurn("sneaky.csv")).content);
    // Metadata that understates the size, as a wrong or changed file would.
    const understating = new Anthropic({
      apiKey: "sk-ant-test",
      baseURL: env.ANTHROPIC_BASE_URL,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input).endsWith(fileId!)) return response;
        return Response.json({ ...((await response.json()) as object), size_bytes: 5 }, { headers: response.headers });
      },
    });
    expect(await fetchProducedFile(understating, fileId!, 10)).toEqual({
      kind: "too_large",
      name: "sneaky.csv",
      size: 11,
    });
  });

  it("turns an unknown file into an Anthropic not_found failure that names the file", async () => {
    const failure = await fetchProducedFile(client, "file_does_not_exist", FILE_LIMIT_BYTES).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServiceFailure);
    expect(failure).toMatchObject({
      service: "anthropic",
      kind: "not_found",
      status: 404,
      message: expect.stringContaining("file_does_not_exist"),
    });
  });
});

describe("the conversation's container", () => {
  it("carries over to a follow-up, so it works on the same files", async () => {
    const first = await codeTurn("numbers.csv");
    const containerId = containerIdOf(first);
    expect(containerId).toBeTruthy();
    expect(first.container?.skills).toEqual([{ type: "anthropic", skill_id: "xlsx", version: "latest" }]);
    const followUp = await codeTurn("chart.png", { containerId });
    expect(containerIdOf(followUp)).toBe(containerId);
  });
});
