import { readLinkPrefix, readMessageLine } from "../campfire/message-lines";
import { type AskOptions, type Model, type ModelAnswer, type ModelRequest, NO_USAGE } from "../conversation/model";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stands in for Claude in the local playground when no ANTHROPIC_API_KEY is set, so the whole pipeline —
 * inbox, alarm, streaming edits, rendering, TTL, a knowledge search when the bot has a library, a catch-up
 * through room_history when asked "catch me up", and the person's task list when they mention it — runs without an
 * account. It says plainly that it is offline.
 */
export class OfflineModel implements Model {
  async ask(request: ModelRequest, options: AskOptions = {}): Promise<ModelAnswer> {
    const turns = request.messages.filter((message) => message.role === "user" && firstText(message.content) !== "");
    const words = spoken(firstText(turns.at(-1)?.content ?? ""));
    const last = request.messages.at(-1)!;
    const results =
      typeof last.content === "string"
        ? []
        : last.content.flatMap((block) =>
            block.type === "tool_result" && typeof block.content === "string" ? [block.content] : [],
          );
    const offers = (name: string) => request.tools?.some((tool) => "name" in tool && tool.name === name) ?? false;
    const catchUp = CATCH_UP.test(words) && offers("room_history");
    // Asked to catch up, it reads the room since the asker's last message through the real tool, as Claude would.
    if (results.length === 0 && catchUp) return toolUse("room_history", { since_my_last_message: true });
    // "add 'x' to my list" or "what's on my list?": the real tasks tool, so the playground shows a list without a key.
    const taskCall = offers("tasks") ? taskCallFor(words) : null;
    if (results.length === 0 && taskCall) return toolUse("tasks", taskCall);
    // A bot with a library searches it first, as Claude would: the playground then shows a cited answer.
    if (results.length === 0 && offers("search_knowledge")) return toolUse("search_knowledge", { query: words });
    const earlier = turns.length - 1;
    const found = results[0]?.match(/\[1\] (.+)\n([\s\S]*?)(?:\n\n|$)/);
    const text =
      "**Offline model** — no `ANTHROPIC_API_KEY` is set, so this is not Claude. Add your key to `.dev.vars` and " +
      "restart `npm run dev` to talk to Claude.\n\n" +
      `You said: *${words}*. I remember ${earlier} earlier message${earlier === 1 ? "" : "s"} in this conversation.` +
      (catchUp && results[0] !== undefined
        ? `\n\nWhat room_history read, as it is (Claude would summarise it):\n\n${listed(results[0])}`
        : found
          ? `\n\nThe best passage I found is from **${found[1]}**:\n\n> ${found[2]!.trim().replace(/\n/g, " ")}`
          : taskCall && results[0] !== undefined
            ? `\n\nThe task list says:\n\n${results[0].replace(/^/gm, "> ")}`
            : "");
    // Streams in pieces over about three seconds, so the playground shows a reply growing.
    const pieces = text.match(/.{1,24}/gs) ?? [text];
    let shown = "";
    for (const piece of pieces) {
      if (options.signal?.aborted) break;
      await sleep(3_000 / pieces.length);
      shown += piece;
      options.onText?.(shown);
    }
    return {
      text,
      stopReason: "end_turn",
      containerId: null,
      content: [{ type: "text", text, citations: null }],
      usage: NO_USAGE,
    };
  }
}

const CATCH_UP = /\bcatch me up\b|\bwhat did i miss\b/i;

/** An answer that calls one tool, as Claude's tool_use turn is shaped. */
function toolUse(name: string, input: Record<string, unknown>): ModelAnswer {
  const content = [
    { type: "tool_use" as const, id: `toolu_offline_${Date.now()}`, name, input, caller: { type: "direct" as const } },
  ];
  return { text: "", stopReason: "tool_use", containerId: null, content, usage: NO_USAGE };
}

/** room_history's piece in plain words: its notes as they are, each message a line with its link. */
function listed(result: string): string {
  const prefix = readLinkPrefix(result) ?? "";
  return result
    .split("\n")
    .map((text) => {
      const message = readMessageLine(text);
      if (message) {
        const [id, , from, words] = message;
        return `- **${from}**: ${words.replace(/\s+/g, " ").slice(0, 200)} ([link](${prefix}${id}))`;
      }
      return text.startsWith("More: ") ? "_(There is more after these; Claude would read on.)_" : text;
    })
    .join("\n");
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

/** The tasks call a person's words ask for: adding "…" (or '…') to their list, or what is on it; null for neither. */
function taskCallFor(words: string): { command: "add"; title: string } | { command: "list" } | null {
  const add = /\badd\s+["'“‘](.+?)["'”’]\s+to\s+my\s+(?:list|tasks)\b/i.exec(words);
  if (add) return { command: "add", title: add[1]! };
  return /\bmy\s+(?:list|tasks|to-?dos?)\b/i.test(words) ? { command: "list" } : null;
}
