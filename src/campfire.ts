import { kindForStatus, retryAfterMs, ServiceFailure } from "./failure";

/** A bot's own Campfire user id: its key is `<bot user id>-<12 characters>`. */
export function botUserId(botKey: string | undefined): number {
  return Number(botKey?.split("-")[0]);
}

/** Campfire's bot messages path for a room: the bot key in it is the bot's credential. */
export function botMessagesPath(roomId: number, botKey: string): string {
  return `/rooms/${roomId}/${encodeURIComponent(botKey)}/messages`;
}

/** A message as Campfire's read API returns it. */
export interface RoomMessage {
  id: number;
  createdAt: string;
  text: string;
  creator: { id: number; name: string };
}

/**
 * Reading and editing came to Campfire in 2026; an older one answers 404. What each bot's Campfire turned out
 * to support is remembered for the isolate's life, so a bot on an older Campfire does not ask every turn.
 */
const unsupported = new Set<string>();
export const campfireSupports = {
  readsAndEdits: (botId: string) => !unsupported.has(botId),
  forget: (botId: string) => unsupported.add(botId),
};

/** Posts, edits and reads as the bot through Campfire's bot API. */
export class CampfireClient {
  constructor(private readonly baseUrl: string) {}

  /** Replaces the text of one of the bot's own messages. */
  async edit(path: string, messageId: number, html: string): Promise<void> {
    await this.send("PATCH", `${path}/${messageId}`, html);
  }

  /** The room's latest messages, oldest first; null when this Campfire has no read API. */
  async recent(path: string): Promise<RoomMessage[] | null> {
    const response = await this.request(path, { headers: { accept: "application/json" } });
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw campfireFailure(response);
    }
    const list = (await response.json()) as { id: number; created_at: string; body?: { plain_text?: string }; creator?: { id: number; name: string } }[];
    return list.map((m) => ({ id: m.id, createdAt: m.created_at, text: m.body?.plain_text ?? "", creator: { id: m.creator?.id ?? 0, name: m.creator?.name ?? "someone" } }));
  }

  /** Posts an HTML message; resolves with the new message's id (from `Location`) when Campfire gives one. */
  async post(path: string, html: string): Promise<{ messageId?: number }> {
    const response = await this.send("POST", path, html);
    const id = Number(response.headers.get("location")?.split("/").pop());
    return Number.isInteger(id) ? { messageId: id } : {};
  }

  private async send(method: "POST" | "PATCH", path: string, html: string): Promise<Response> {
    const response = await this.request(path, { method, headers: { "content-type": "text/html; charset=utf-8" }, body: html });
    // The body is not needed; cancelling frees the connection at once.
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return response;
    throw campfireFailure(response);
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    try {
      // A wrong key answers with a redirect to the login page; following it would hide the error.
      return await fetch(this.baseUrl + path, { ...init, redirect: "manual" });
    } catch (error) {
      throw new ServiceFailure("campfire", "unreachable", `Campfire could not be reached: ${(error as Error).message}`);
    }
  }
}

function campfireFailure(response: Response): ServiceFailure {
  const { status } = response;
  if (status >= 300 && status < 400) {
    return new ServiceFailure("campfire", "key_rejected", "Campfire redirected to its login page: the bot key is wrong or was reset", status);
  }
  if (status === 404 || status === 405) {
    return new ServiceFailure("campfire", "not_found", "Campfire answered 404: the bot is not a member of the room, or the room is gone", status);
  }
  return new ServiceFailure("campfire", kindForStatus(status), `Campfire answered ${status}`, status, retryAfterMs(response.headers));
}
