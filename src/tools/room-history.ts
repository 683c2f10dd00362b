import { z } from "zod";
import { defineTool, ToolError } from "./tool";

const MAX_CHARS = 12_000;

export const roomHistory = defineTool({
  name: "room_history",
  description:
    "Read earlier messages of this Campfire room, oldest first (at most 40 per call). Pass before_id (the id of the " +
    "oldest message you have) to page further back.",
  input: z.object({
    before_id: z.number().int().positive().optional().describe("Only messages older than this message id"),
  }),
  async run({ before_id }, { campfire, path }) {
    const messages = await campfire.recent(before_id ? `${path}?before=${before_id}` : path);
    if (messages === null) throw new ToolError("Reading the room's history is not available on this Campfire (it is older than 2026).");
    if (messages.length === 0) return "No earlier messages.";
    const lines = messages.map((m) => `[${m.id}] ${m.createdAt} ${m.creator.name}: ${m.text}`);
    // Keep the newest lines when the page is too large for one result.
    let size = lines.reduce((sum, line) => sum + line.length + 1, 0);
    while (size > MAX_CHARS && lines.length > 1) size -= lines.shift()!.length + 1;
    return lines.join("\n");
  },
});
