import { z } from "zod";
import { cleanName, cleanText } from "../text";
import { defineTool, ToolError } from "./tool";

const MAX_CHARS = 12_000;

export const roomHistory = defineTool({
  name: "room_history",
  description:
    "Read earlier messages of this room, oldest first, 40 at most, as JSON lines: id, time, sender, text and link.",
  input: z.object({
    before_id: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Only messages older than this id: the oldest you have, to page back"),
  }),
  async run({ before_id }, { room }) {
    const messages = await room.recent({ before: before_id });
    if (messages === null)
      throw new ToolError("Reading the room's history is not available on this Campfire (it is older than 2026).");
    if (messages.length === 0) return "No earlier messages.";
    const lines = messages.map((m) =>
      JSON.stringify({
        id: m.id,
        at: m.createdAt,
        from: cleanName(m.creator.name, 100),
        text: cleanText(m.text, 2_000),
        link: room.permalink(m.id),
      }),
    );
    // Keep the newest lines when the page is too large for one result, and say so.
    let size = lines.reduce((sum, line) => sum + line.length + 1, 0);
    let cut = 0;
    while (size > MAX_CHARS && lines.length > 1) {
      size -= lines.shift()!.length + 1;
      cut++;
    }
    return (
      (cut ? `(cut: the ${cut} oldest messages of this page did not fit; page back from the first id shown)\n` : "") +
      lines.join("\n")
    );
  },
});
