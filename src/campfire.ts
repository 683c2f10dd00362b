import { kindForStatus, retryAfterMs, ServiceFailure } from "./failure";

/** Campfire's bot messages path for a room: the bot key in it is the bot's credential. */
export function botMessagesPath(roomId: number, botKey: string): string {
  return `/rooms/${roomId}/${encodeURIComponent(botKey)}/messages`;
}

/** Posts as the bot through Campfire's bot API. */
export class CampfireClient {
  constructor(private readonly baseUrl: string) {}

  /** Posts an HTML message; resolves with the new message's id (from `Location`) when Campfire gives one. */
  async post(path: string, html: string): Promise<{ messageId?: number }> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method: "POST",
        headers: { "content-type": "text/html; charset=utf-8" },
        body: html,
        // A wrong key answers with a redirect to the login page; following it would hide the error.
        redirect: "manual",
      });
    } catch (error) {
      throw new ServiceFailure("campfire", "unreachable", `Campfire could not be reached: ${(error as Error).message}`);
    }
    // The body is not needed; cancelling frees the connection at once.
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) {
      const id = Number(response.headers.get("location")?.split("/").pop());
      return Number.isInteger(id) ? { messageId: id } : {};
    }
    throw campfireFailure(response);
  }
}

function campfireFailure(response: Response): ServiceFailure {
  const { status } = response;
  if (status >= 300 && status < 400) {
    return new ServiceFailure("campfire", "key_rejected", "Campfire redirected to its login page: the bot key is wrong or was reset", status);
  }
  if (status === 404) {
    return new ServiceFailure("campfire", "not_found", "Campfire answered 404: the bot is not a member of the room, or the room is gone", status);
  }
  return new ServiceFailure("campfire", kindForStatus(status), `Campfire answered ${status}`, status, retryAfterMs(response.headers));
}
