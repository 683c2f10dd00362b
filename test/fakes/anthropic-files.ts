import type { ServerResponse } from "node:http";
import { json } from "./http.ts";

/** A file the fake's code execution "produced", served by its Files API. */
interface StoredFile {
  id: string;
  filename: string;
  mimeType: string;
  bytes: Buffer;
  /** What the metadata claims; larger than `bytes` for a scripted huge file. */
  sizeBytes: number;
  createdAt: string;
  /** A scripted Files API outage for this file, as `FileOutage` says. */
  outage: FileOutage | null;
}

/** The Files API answers `status` for a file: on every call, or only its downloads; forever, or its first `times` calls. */
export interface FileOutage {
  status: number;
  times?: number;
  downloadsOnly?: boolean;
}

/** One Files API call as the fake saw it, so tests can tell metadata reads from downloads. */
export interface FileRequest {
  method: string;
  path: string;
  at: number;
}

const MIME_TYPES: Record<string, string> = {
  csv: "text/csv",
  txt: "text/plain",
  json: "application/json",
  png: "image/png",
  pdf: "application/pdf",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

/** Above the bot's 25 MB limit, so a `huge` file tests the too-large path without the fake holding 26 MB. */
export const HUGE_FILE_BYTES = 26 * 1024 * 1024;

/** The code-execution tool versions whose results carry `file_id`s, as the SDK types them. */
const CODE_EXECUTION_TYPES = new Set(["code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]);

type Block = { type: string; [key: string]: unknown };

/** Why a `[fake:file=…]` turn cannot run with these tools and container, as the real API would refuse it; or null. */
export function codeExecutionProblem(tools: Block[] | undefined, container: unknown): string | null {
  if (!tools?.some((tool) => CODE_EXECUTION_TYPES.has(tool.type) && tool.name === "code_execution")) {
    return 'tools: a code execution turn needs a code_execution tool (e.g. {type: "code_execution_20260521", name: "code_execution"})';
  }
  if (container === undefined || container === null || typeof container === "string") return null;
  const skills = (container as { skills?: unknown }).skills ?? [];
  if (!Array.isArray(skills)) return "container.skills: must be a list";
  for (const [index, skill] of (skills as { type?: unknown; skill_id?: unknown }[]).entries()) {
    if (skill.type !== "anthropic" && skill.type !== "custom")
      return `container.skills.${index}.type: must be "anthropic" or "custom"`;
    if (typeof skill.skill_id !== "string" || !skill.skill_id)
      return `container.skills.${index}.skill_id: Field required`;
  }
  return null;
}

/** The container the response reports: the one the request named, or a new one; skills as requested. */
export function containerFor(requested: unknown, serial: number) {
  const params =
    typeof requested === "string"
      ? { id: requested }
      : ((requested ?? {}) as {
          id?: string | null;
          skills?: { type: string; skill_id: string; version?: string }[] | null;
        });
  const skills = (params.skills ?? []).map((skill) => ({
    type: skill.type,
    skill_id: skill.skill_id,
    version: skill.version ?? "latest",
  }));
  return {
    id: params.id ?? `container_fake_${serial}`,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    skills,
  };
}

/** The fake's Files API and the code-execution turns that fill it. */
export function fakeFiles() {
  const files = new Map<string, StoredFile>();
  const requests: FileRequest[] = [];
  let serial = 0;

  /** Stores a file as if code execution wrote it; a small CSV-like body unless the name says otherwise. */
  const produce = (filename: string, huge: boolean, outage: FileOutage | null): StoredFile => {
    const id = `file_fake_${++serial}`;
    const bytes = Buffer.from(`n,square\n${[1, 2, 3].map((n) => `${n},${n * n}`).join("\n")}\n# ${filename}\n`);
    const extension = filename.split(".").pop()!.toLowerCase();
    const file = {
      id,
      filename,
      mimeType: MIME_TYPES[extension] ?? "application/octet-stream",
      bytes,
      sizeBytes: huge ? HUGE_FILE_BYTES : bytes.length,
      createdAt: new Date().toISOString(),
      outage,
    };
    files.set(id, file);
    return file;
  };

  return {
    requests,
    reset() {
      files.clear();
      requests.length = 0;
    },

    /**
     * The answer's blocks for a turn in which Claude ran a shell command that wrote `filename`: the server tool
     * call, its result with the new file's id, then the words, as the API returns them in one response.
     */
    /** `names` is one file name, or several joined by "+": each gets its own run of code (and the same `outage`). */
    codeExecutionTurn(
      names: string,
      huge: boolean,
      serialOfMessage: number,
      outage: FileOutage | null = null,
    ): Block[] {
      const filenames = names.split("+");
      const runs = filenames.flatMap((filename, index): Block[] => {
        const file = produce(filename, huge, outage && { ...outage });
        const toolUseId = `srvtoolu_fake_${serialOfMessage}_${index}`;
        return [
          {
            type: "server_tool_use",
            id: toolUseId,
            name: "bash_code_execution",
            input: { command: `python make.py > /tmp/outputs/${filename}` },
            caller: { type: "direct" },
          },
          {
            type: "bash_code_execution_tool_result",
            tool_use_id: toolUseId,
            content: {
              type: "bash_code_execution_result",
              stdout: "",
              stderr: "",
              return_code: 0,
              content: [{ type: "bash_code_execution_output", file_id: file.id }],
            },
          },
        ];
      });
      return [
        { type: "text", text: `I'll write ${filenames.join(" and ")}.` },
        ...runs,
        { type: "text", text: `Here is ${filenames.join(" and ")}.` },
      ];
    },

    /** Answers `GET /v1/files/:id` (metadata) and `GET /v1/files/:id/content` (the bytes); false if not a Files path. */
    handle(
      method: string,
      path: string,
      response: ServerResponse,
      fail: (status: number, message: string) => void,
    ): boolean {
      const match = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
      if (!match) return false;
      requests.push({ method, path, at: Date.now() });
      const file = files.get(decodeURIComponent(match[1]!));
      if (method !== "GET") fail(405, `${method} is not supported by the fake Files API`);
      else if (!file) fail(404, `File not found: ${match[1]}`);
      else if (
        file.outage &&
        (match[2] || !file.outage.downloadsOnly) &&
        (file.outage.times === undefined || file.outage.times-- > 0)
      ) {
        fail(file.outage.status, `scripted ${file.outage.status} for ${file.id}`);
      } else if (match[2]) {
        response.writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) });
        response.end(file.bytes);
      } else {
        json(response, 200, {
          type: "file",
          id: file.id,
          filename: file.filename,
          mime_type: file.mimeType,
          size_bytes: file.sizeBytes,
          created_at: file.createdAt,
          downloadable: true,
        });
      }
      return true;
    },
  };
}
