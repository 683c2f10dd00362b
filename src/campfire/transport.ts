import { kindForStatus, retryAfterMs, ServiceFailure } from "../failure";

/**
 * How calls reach Campfire: a path under CAMPFIRE_URL and a fetch init. The transport (`CampfireClient.request`)
 * adds the base URL, `redirect: "manual"` and a timeout, and turns a network error into a `ServiceFailure`.
 */
export type CampfireTransport = (path: string, init: RequestInit) => Promise<Response>;

/** A non-2xx answer to `what` (e.g. "post an attachment") as a failure that says what to fix. */
export function campfireFailure(response: Response, what: string): ServiceFailure {
  const { status } = response;
  if (status >= 300 && status < 400) {
    return new ServiceFailure(
      "campfire",
      "key_rejected",
      `Campfire redirected to its login page when asked to ${what}: the bot key is wrong or was reset`,
      status,
    );
  }
  if (status === 404 || status === 405) {
    return new ServiceFailure(
      "campfire",
      "not_found",
      `Campfire answered ${status} when asked to ${what}: the bot is not a member of the room, the room is gone, or this Campfire is older`,
      status,
    );
  }
  return new ServiceFailure(
    "campfire",
    kindForStatus(status),
    `Campfire answered ${status} when asked to ${what}`,
    status,
    retryAfterMs(response.headers),
  );
}

/** The new message's id from a `201`'s `Location: {CAMPFIRE_URL}/messages/{id}`, when Campfire gives one. */
export function messageIdOf(response: Response): { messageId?: number } {
  const id = Number(response.headers.get("location")?.split("/").pop());
  return Number.isInteger(id) && id > 0 ? { messageId: id } : {};
}
