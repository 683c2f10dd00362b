import { formatBytes } from "../bytes";
import { campfireFilename } from "../campfire/attachments";
import type { Room } from "../campfire/room";
import { FILE_LIMIT_BYTES, FileFetchFailure, type ProducedFile } from "../anthropic/files";
import { log } from "../log";
import { escapeHtml, renderMarkdown } from "../campfire/render";
import type { Model } from "./model";
import { retryAfterFailure } from "./retry";
import { splitMarkdown } from "../campfire/split";
import type { Outgoing } from "./state";
import type { ConversationStore } from "./store";

/**
 * Posts an answer, split into parts Campfire shows well, then each file the model's code wrote as a message of
 * its own. The first part replaces the message the turn already showed (streamed text or a progress line); each
 * part posted is recorded, so a retry posts only the rest. `mayBeRepeat`: an earlier run may have died between
 * Campfire's "created" and recording it, so the next part is looked for in the room first.
 */
export async function postOutgoing(
  room: Room,
  store: ConversationStore,
  outgoing: Outgoing,
  mayBeRepeat: boolean,
  fetchFile?: Model["fetchFile"],
): Promise<void> {
  const texts =
    outgoing.kind === "reply"
      ? splitMarkdown(outgoing.markdown).map((part) => renderMarkdown(part, { campfireUrl: room.campfireUrl }))
      : [`<p>${escapeHtml(outgoing.markdown)}</p>`];
  const total = texts.length + outgoing.files.length;
  for (let index = outgoing.posted; index < total; index++) {
    const lookFirst = mayBeRepeat && index === outgoing.posted;
    let givenUp = false;
    if (index < texts.length) {
      const html = texts[index]!;
      const edited = index === 0 && outgoing.messageId !== null && (await room.edit(outgoing.messageId, html));
      if (!edited && !(lookFirst && (await alreadyPosted(room, html, outgoing.queuedAt)))) await room.post(html);
    } else {
      givenUp = await postFile(
        room,
        store,
        outgoing,
        outgoing.files[index - texts.length]!,
        fetchFile,
        lookFirst ? outgoing.queuedAt : null,
      );
    }
    // The last part needs no mark: settling the answer records it.
    if (index + 1 < total) store.markPosted(index + 1, !givenUp);
  }
}

/** A file the Files API would not hand over yet, with time left in its budget: the delivery stops here until `decision.retryAt`. */
export class FileFetchPending extends Error {
  constructor(
    readonly failure: FileFetchFailure,
    readonly decision: { retryAt: number; attempts: number; since: number },
  ) {
    super(failure.message);
    this.name = "FileFetchPending";
  }
}

/**
 * One file into the room. One that is too large, gone from the Files API, or still failing there at the end of its
 * budget is named in a line instead, and the answer goes on; true when it was given up for a failing Files API.
 * `repeatSince`: an earlier run may have posted it (or its line) since then and died before recording it.
 */
async function postFile(
  room: Room,
  store: ConversationStore,
  outgoing: Outgoing,
  fileId: string,
  fetchFile: Model["fetchFile"],
  repeatSince: number | null,
): Promise<boolean> {
  if (!fetchFile) return false;
  const post = async (html: string) => {
    if (repeatSince === null || !(await alreadyPosted(room, html, repeatSince))) await room.post(html);
  };
  let file: ProducedFile;
  try {
    file = await fetchFile(fileId, FILE_LIMIT_BYTES);
  } catch (error) {
    // Campfire is not involved yet: only Anthropic's failures get here, and get minutes, counted in storage from the first.
    if (!(error instanceof FileFetchFailure)) throw error;
    const state = store.state()!;
    const decision = retryAfterFailure(
      "fetch_file",
      error,
      state.retry,
      state.ttlMs,
      Date.now(),
      store.waitingAfter(outgoing.uptoSeq),
    );
    if ("retryAt" in decision) throw new FileFetchPending(error, decision);
    log("error", "file.given_up", {
      bot: state.botId,
      room: room.id,
      file: fileId,
      kind: error.kind,
      status: error.status ?? null,
      attempts: decision.attempts,
      error: error.message.slice(0, 300),
    });
    await post(
      `<p>${escapeHtml(`📎 ${error.fileName ?? "A file I made"} could not be fetched from Anthropic; ask me to make it again.`)}</p>`,
    );
    return error.retryable;
  }
  if (file.kind === "file") {
    if (repeatSince === null || !(await alreadyPostedFile(room, file.name, repeatSince))) await room.postFile(file);
  } else
    await post(
      `<p>${escapeHtml(`📎 ${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(FILE_LIMIT_BYTES)} limit for files posted here, so it was not posted.`)}</p>`,
    );
  return false;
}

/** Whether the bot posted a file of this name since `since`: Campfire gives a file message's name as its text. */
async function alreadyPostedFile(room: Room, name: string, since: number): Promise<boolean> {
  const shown = campfireFilename(name);
  return (await room.ownMessagesSince(since)).some((message) => message.text.trim() === shown);
}

/** Whether the bot already posted this text since `since`: a delivery cut off after Campfire took it. */
export async function alreadyPosted(room: Room, html: string, since: number): Promise<boolean> {
  const text = comparable(html.replace(/<[^>]*>/g, ""));
  return (await room.ownMessagesSince(since)).some(
    (message) => comparable(message.text.replace(/^[ \t]*(?:•|\d+\.)[ \t]/gm, "")) === text,
  );
}

/**
 * Only the letters and digits of a text, its entities decoded: Campfire's plain text of our HTML adds list bullets
 * ("• ", "1. ", dropped above), curly quotes around a blockquote and its own line breaks, and nothing else.
 */
function comparable(text: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => entities[name]!).replace(/[^\p{L}\p{N}]/gu, "");
}
