/** The load generator's side: the fakes in their own process, webhook payloads, and a cheap HTTP client. */
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { ROOT } from "./workerd.ts";

export const KEY = "4-GZfqGLxdULBM";
export const sleep = (time: number) => new Promise((resolve) => setTimeout(resolve, time));

export interface Fakes {
  anthropic: string;
  campfire: string;
  stop(): void;
}

/** Starts the fakes in their own process, so the load generator and the fakes don't share an event loop. */
export async function startFakes(): Promise<Fakes> {
  const child = spawn(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "test/fakes/run.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve) =>
    child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString())),
  );
  return { ...(JSON.parse(line) as { anthropic: string; campfire: string }), stop: () => child.kill("SIGTERM") };
}

let nextMessageId = 1;

/** A Campfire webhook body for a new message in `roomId`. */
export function payload(roomId: number, plain: string): string {
  const id = nextMessageId++;
  return JSON.stringify({
    user: { id: 7, name: "Ada Lovelace" },
    room: { id: roomId, name: "Bench", path: `/rooms/${roomId}/${KEY}/messages` },
    message: { id, body: { html: `<div>${plain}</div>`, plain }, path: `/rooms/${roomId}/@${id}` },
  });
}

// Keep-alive sockets and node:http: the load generator shares the cores, so it should spend as little as it can.
const agent = new Agent({ keepAlive: true, maxSockets: 1_000 });

export function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode!));
      },
    );
    sent.on("error", reject);
    sent.end(body);
  });
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** One message the fake Campfire holds; `at` is when it was posted. */
export interface Posted {
  roomId: number;
  at: number;
}

/** One request the fake Anthropic API recorded; `ms` is its own time to answer. */
export interface Requested {
  at: number;
  ms?: number;
  body: unknown;
  usage?: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  };
}

/** Waits until every room in `rooms` has at least `count` bot messages at the fake Campfire. */
export async function waitForRooms(campfire: string, rooms: number[], timeoutMs: number, count = 1): Promise<Posted[]> {
  const wanted = new Set(rooms);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const posted = (await getJson<Posted[]>(`${campfire}/_fake/messages`)).filter((message) =>
      wanted.has(message.roomId),
    );
    const perRoom = new Map<number, number>();
    for (const message of posted) perRoom.set(message.roomId, (perRoom.get(message.roomId) ?? 0) + 1);
    const done = [...wanted].filter((room) => (perRoom.get(room) ?? 0) >= count).length;
    if (done === wanted.size) return posted;
    if (Date.now() > deadline)
      throw new Error(`only ${done} of ${wanted.size} rooms were answered within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}
