import type { BotConfig, Schedule } from "../config";
import { kept } from "../keep";
import { openLibrary } from "../knowledge/access";
import { fnv1a } from "../knowledge/document";
import type { DocumentInput } from "../knowledge/library";
import { log } from "../log";
import { firingSpan, readFiringId } from "./firing";

/**
 * The documents of one schedule's answers begin with this: the room and the cron, spelt as an id may be ("30 8 * *
 * 1-5" → "30_8_x_x_1-5"; a cron too long for an id by its hash). What follows sorts as the firings do.
 */
export function keptPrefix(schedule: Pick<Schedule, "cron" | "roomId">): string {
  const spelt = schedule.cron.trim().split(/\s+/).join("_").replace(/\*/g, "x").replace(/\//g, "s").replace(/,/g, ".");
  return `briefing-${schedule.roomId}-${spelt.length <= 60 ? spelt : fnv1a(schedule.cron)}-`;
}

// A formatter per time zone, built once per isolate.
const dates = new Map<string, Intl.DateTimeFormat>();
const dateIn = (timeZone: string) =>
  kept(
    dates,
    timeZone,
    () =>
      new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric" }),
  );

/**
 * A posted answer of one firing as a document: its id from the schedule and the firing's time (UTC, so ids sort and
 * never meet across a clock change), its title from the room's name and the date in the bot's time zone, so "what
 * did the Monday briefing say" finds it by its title. The same firing always makes the same id: a retry replaces it.
 */
export function keptDocument(input: {
  schedule: Schedule;
  firingTime: number;
  roomName: string;
  timeZone: string;
  campfireUrl: string;
  text: string;
}): DocumentInput {
  const { schedule, roomName, text } = input;
  const { until } = firingSpan(schedule.cron, input.firingTime);
  const stamp = new Date(until).toISOString();
  const title = `Briefing for ${roomName} — ${dateIn(input.timeZone).format(until)}`;
  const read = schedule.sources.length ? `, written from rooms ${schedule.sources.join(", ")}` : "";
  return {
    id: `${keptPrefix(schedule)}${stamp.slice(0, 10)}-${stamp.slice(11, 13)}${stamp.slice(14, 16)}`,
    title,
    source: `${input.campfireUrl}/rooms/${schedule.roomId}`,
    body: `# ${title}\n\nPosted in room ${schedule.roomId} at ${stamp.slice(0, 16).replace("T", " ")} UTC${read}.\n\n${text}`,
  };
}

/**
 * What keeps a conversation's scheduled answers, for the schedules of its room that name a library; undefined when
 * none does. It stores each posted answer, then deletes the schedule's oldest beyond its `keep`. It never throws: a
 * failure is logged and the answer stays posted.
 */
export function answerKeeper(
  env: Env,
  bot: BotConfig,
  room: { id: number; name: string; campfireUrl: string },
  onRequest: () => void,
): ((firings: string[], markdown: string) => Promise<void>) | undefined {
  const keeping = bot.schedules.filter((schedule) => schedule.roomId === room.id && schedule.library !== null);
  if (keeping.length === 0) return undefined;
  return async (firings, markdown) => {
    for (const firing of firings.map(readFiringId)) {
      const schedule = keeping.find((candidate) => candidate.cron === firing?.cron);
      if (!firing || !schedule) continue;
      const fields = { bot: bot.id, room: room.id, cron: schedule.cron, library: schedule.library };
      try {
        const doc = keptDocument({
          schedule,
          firingTime: firing.time,
          roomName: room.name,
          timeZone: bot.timeZone,
          campfireUrl: room.campfireUrl,
          text: markdown,
        });
        const library = openLibrary(env, schedule.library!);
        onRequest();
        const result = await library.put(doc);
        if (!result.ok) {
          log("warn", "briefing.not_kept", { ...fields, doc: doc.id, reason: result.refusal.kind });
          continue;
        }
        const removed = await prune(library, schedule, onRequest);
        log("info", "briefing.kept", { ...fields, doc: doc.id, size: result.size, removed });
      } catch (error) {
        log("warn", "briefing.not_kept", {
          ...fields,
          error: (error as Error)?.message?.slice(0, 300) ?? String(error),
        });
      }
    }
  };
}

/** Deletes the schedule's documents beyond its newest `keep`; how many went. */
async function prune(
  library: ReturnType<typeof openLibrary>,
  schedule: Schedule,
  onRequest: () => void,
): Promise<number> {
  const prefix = keptPrefix(schedule);
  onRequest();
  const ours = (await library.list())
    .map((doc) => doc.id)
    // Only the firing's time after the prefix: "30 8 * * 1"'s prefix also begins "30 8 * * 1-5"'s ids.
    .filter((id) => id.startsWith(prefix) && /^\d{4}-\d\d-\d\d-\d{4}$/.test(id.slice(prefix.length)))
    .sort();
  const old = ours.slice(0, Math.max(0, ours.length - schedule.keep));
  for (const id of old) {
    onRequest();
    await library.remove(id);
  }
  return old.length;
}
