import type { AskOptions, Model, ModelAnswer, ModelRequest } from "../conversation/model";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stands in for Claude in the local playground when no ANTHROPIC_API_KEY is set, so the whole pipeline —
 * inbox, alarm, streaming edits, rendering, TTL — runs without an account. It says plainly that it is offline.
 */
export class OfflineModel implements Model {
  async ask(request: ModelRequest, options: AskOptions = {}): Promise<ModelAnswer> {
    const turns = request.messages.filter((message) => message.role === "user" && firstText(message.content) !== "");
    const words = spoken(firstText(turns.at(-1)?.content ?? ""));
    const earlier = turns.length - 1;
    const text =
      "**Offline model** — no `ANTHROPIC_API_KEY` is set, so this is not Claude. Add your key to `.dev.vars` and " +
      "restart `npm run dev` to talk to Claude.\n\n" +
      `You said: *${words}*. I remember ${earlier} earlier message${earlier === 1 ? "" : "s"} in this conversation.`;
    // Streams in pieces over about three seconds, so the playground shows a reply growing.
    const pieces = text.match(/.{1,24}/gs) ?? [text];
    let shown = "";
    for (const piece of pieces) {
      if (options.signal?.aborted) break;
      await sleep(3_000 / pieces.length);
      shown += piece;
      options.onText?.(shown);
    }
    return { text, stopReason: "end_turn", containerId: null, content: [{ type: "text", text, citations: null }], usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } };
  }
}

function firstText(content: ModelRequest["messages"][number]["content"]): string {
  if (typeof content === "string") return content;
  const block = content.find((part) => part.type === "text");
  return block && "text" in block ? block.text : "";
}

/** The words of a user turn's JSON lines (`{"from", "text"}`), joined. */
function spoken(turn: string): string {
  return turn
    .split("\n")
    .map((line) => {
      try {
        return String((JSON.parse(line) as { text?: unknown }).text ?? "");
      } catch {
        return line;
      }
    })
    .join(" ");
}
