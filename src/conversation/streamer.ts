import { escapeHtml, renderMarkdown } from "../campfire/render";
import type { Room } from "../campfire/room";
import { splitMarkdown } from "../campfire/split";

/** Answers quicker than this are posted once, whole; slower ones appear early and grow. */
export const STREAM_AFTER_MS = 2_000;
/** At most one edit a second, so a long answer costs Campfire a handful of requests. */
export const EDIT_INTERVAL_MS = 1_000;
/** A turn with no text yet after this long shows a progress line. */
export const PROGRESS_AFTER_MS = 10_000;
export const PROGRESS_TEXT = "Working on it…";

/**
 * Shows an answer growing in one Campfire message while Claude writes it: posted once it has taken a moment,
 * then edited at most once a second. The message's id is recorded at once (and the attempt before the post),
 * so that after a crash the next attempt edits this message rather than leaving a half answer behind.
 */
export class ReplyStreamer {
  private latest = "";
  private lastShownAt = 0;
  private pending: Promise<void> | null = null;
  /** Streaming stopped after a failure; the final answer is delivered on its own. */
  private stopped = false;

  constructor(
    private readonly room: Room,
    private messageId: number | null,
    /** Called before the first post, and with its id after: a crash in between is found in the room later. */
    private readonly remember: { posting: () => void; posted: (messageId: number) => void },
    private readonly startedAt = Date.now(),
  ) {}

  /** The message this turn shows in the room, if any. */
  get shownMessageId(): number | null {
    return this.messageId;
  }

  /**
   * The draft an earlier run of this turn posted but died before recording (`postingSince`: when it began to): the
   * bot's newest message since then that still ends in "…" (a streamed draft or the progress line). It is adopted
   * and recorded, so the answer replaces it.
   */
  async adoptOrphan(postingSince: number | null): Promise<void> {
    if (this.messageId !== null || postingSince === null) return;
    const draft = (await this.room.ownMessagesSince(postingSince)).findLast((message) =>
      message.text.trim().endsWith("…"),
    );
    if (!draft) return;
    this.messageId = draft.id;
    this.remember.posted(draft.id);
  }

  update(snapshot: string): void {
    this.latest = snapshot;
    const now = Date.now();
    // Asked each time: this very turn may learn that this Campfire cannot edit.
    if (
      this.stopped ||
      !this.room.supports("read_edit") ||
      this.pending ||
      now - this.startedAt < STREAM_AFTER_MS ||
      now - this.lastShownAt < EDIT_INTERVAL_MS
    )
      return;
    // Only the first message's worth streams; a longer answer's other parts are posted at the end.
    const first = splitMarkdown(snapshot)[0];
    if (first) this.show(`${renderMarkdown(first, { campfireUrl: this.room.campfireUrl })}<p>…</p>`);
  }

  /** A long turn with nothing shown yet says it is working on it. */
  progress(): void {
    if (this.messageId === null && !this.pending && this.latest === "")
      this.show(`<p>${escapeHtml(PROGRESS_TEXT)}</p>`);
  }

  /** Waits for an edit in flight, so the final answer is never overwritten by a stale one. */
  async drain(): Promise<void> {
    await this.pending;
  }

  private show(html: string): void {
    this.lastShownAt = Date.now();
    // Streaming is a nicety: on any failure stop it; the final answer is delivered on its own.
    this.pending = this.send(html)
      .catch(() => {
        this.stopped = true;
      })
      .finally(() => (this.pending = null));
  }

  private async send(html: string): Promise<void> {
    if (this.messageId !== null) {
      this.stopped = !(await this.room.edit(this.messageId, html));
      return;
    }
    this.remember.posting();
    const { messageId } = await this.room.post(html);
    if (messageId === undefined) {
      this.stopped = true;
      return;
    }
    this.messageId = messageId;
    this.remember.posted(messageId);
  }
}
