import { z } from "zod";
import { isTimeZone } from "../config/bots";
import type { DigestToolName } from "../config/tool-names";
import { defineTool, type Tool, ToolError } from "../tools/tool";
import { formatWhen } from "../tools/when";
import type { DigestsApi, DigestsToolContext, DigestView } from "./access";
import { cadenceProblem, digestCron, IDLE_LIMIT_MS, scheduleWords, WEEKDAYS } from "./schedule";

const api = (context: DigestsToolContext): DigestsApi => {
  if (!context.digests) throw new ToolError("Digests are not available in this turn.");
  return context.digests;
};

const ENDINGS: Record<NonNullable<DigestView["endedWhy"]>, string> = {
  cancelled: "cancelled",
  admin: "ended by an administrator",
  idle: `ended after ${IDLE_LIMIT_MS / 86_400_000} days without hearing from its owner`,
  not_in_room: "ended: Campfire says I am no longer in its room",
  shared_direct_room: "ended: the direct room it went to has other people in it",
  never_fires: "ended: its schedule never comes round again",
};

/** One line per digest, for its owner. */
function describe(digest: DigestView, roomId: number): string {
  const where = digest.postRoomId === digest.roomId ? "posted there" : "posted in your direct room with me";
  const room = digest.roomId === roomId ? "this room" : `${JSON.stringify(digest.roomName)} (room ${digest.roomId})`;
  const what = `#${digest.id}: ${room}, ${scheduleWords(digest.cron)} (${digest.timeZone}), ${where}`;
  const focus = digest.focus ? `; focus: ${digest.focus}` : "";
  if (digest.endedAt !== null) return `${what} — ${ENDINGS[digest.endedWhy!]}`;
  return `${what}; next ${formatWhen(digest.nextDueAt, digest.timeZone)}${focus}`;
}

export const subscribeDigest = defineTool({
  name: "subscribe_digest",
  description:
    "Subscribe the person asking to a recurring summary of this room, posted here or in their direct room with you.",
  input: z.object({
    time: z.string().max(20).optional().describe("Time of day, 24-hour HH:MM, e.g. '09:00'"),
    days: z.array(z.enum(WEEKDAYS)).max(7).optional().describe("Days it is sent; every day if left out"),
    cron: z.string().max(100).optional().describe("Instead of time and days: a 5-field cron"),
    where: z.enum(["here", "direct"]).optional().describe("Default here"),
    focus: z.string().max(300).optional().describe("What to focus on, if they said"),
    time_zone: z.string().max(64).optional().describe("Their IANA time zone if known; else yours"),
  }),
  forAsker: true,
  async run({ time, days, cron, where, focus, time_zone }, context: DigestsToolContext) {
    const digests = api(context);
    if (time_zone !== undefined && !isTimeZone(time_zone))
      throw new ToolError(`"${time_zone}" is not an IANA time zone; use one such as Europe/Berlin, or leave it out.`);
    const schedule = digestCron({ time, days, cron });
    if ("error" in schedule) throw new ToolError(schedule.error);
    const problem = cadenceProblem(schedule.parsed, context.now.getTime(), time_zone ?? context.timeZone);
    if (problem) throw new ToolError(problem);
    // The first digest covers what is said after the newest message now.
    const newest = await context.room.recent();
    if (newest === null)
      throw new ToolError(
        "This Campfire does not let bots read rooms (it is older than 2026), so I cannot write digests.",
      );
    const last = newest.at(-1);
    const result = await digests.subscribe({
      roomId: context.room.id,
      direct: where === "direct",
      cron: schedule.cron,
      timeZone: time_zone ?? null,
      focus: focus?.trim() ?? "",
      startAfter: last ? { id: last.id, at: Date.parse(last.createdAt) } : { id: 0, at: context.now.getTime() },
    });
    if ("error" in result) throw new ToolError(result.error);
    return `Digest ${describe(result.digest, context.room.id)}. It covers what is said from now on, and nothing is posted when nothing was said.`;
  },
});

export const listDigests = defineTool({
  name: "list_digests",
  description: "List the digests the person asking has subscribed to with you.",
  input: z.object({}),
  forAsker: true,
  async run(_, context: DigestsToolContext) {
    const mine = await api(context).mine();
    if (mine.length === 0) return "They have no digests with me.";
    return mine.map((digest) => describe(digest, context.room.id)).join("\n");
  },
});

export const cancelDigest = defineTool({
  name: "cancel_digest",
  description: "Cancel one of the asking person's digests by its number, from list_digests.",
  input: z.object({ id: z.number().int().positive().describe("The digest's number") }),
  forAsker: true,
  async run({ id }, context: DigestsToolContext) {
    const result = await api(context).cancel(id);
    if ("error" in result) throw new ToolError(result.error);
    return `Digest #${id} cancelled: nothing more will be posted.`;
  },
});

/** The digest tools by name: each of `DIGEST_TOOL_NAMES`, under its own name, and nothing else. */
export const DIGEST_TOOLS: Readonly<Record<DigestToolName, Tool<z.ZodType, DigestsToolContext>>> = {
  subscribe_digest: subscribeDigest,
  list_digests: listDigests,
  cancel_digest: cancelDigest,
} satisfies { [Name in DigestToolName]: Tool<z.ZodType, DigestsToolContext> & { name: Name } };
