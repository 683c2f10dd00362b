import { kindForStatus, retryAfterMs, ServiceFailure } from "../failure";

/**
 * How these calls reach Campfire: a path under CAMPFIRE_URL and a fetch init. The caller's transport adds the
 * base URL, `redirect: "manual"` (a wrong key answers with a redirect to the login page) and a timeout.
 */
export type CampfireTransport = (path: string, init: RequestInit) => Promise<Response>;

/** Sends through the transport; a network error becomes an `unreachable` failure. */
export async function sendToCampfire(send: CampfireTransport, path: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await send(path, init);
  } catch (error) {
    throw new ServiceFailure("campfire", "unreachable", `Campfire could not be reached to ${what}: ${(error as Error).message}`);
  }
}

/** A non-2xx answer to `what` (e.g. "post an attachment") as a failure that says what to fix. */
export function campfireFailure(response: Response, what: string): ServiceFailure {
  const { status } = response;
  if (status >= 300 && status < 400) {
    return new ServiceFailure("campfire", "key_rejected", `Campfire redirected to its login page when asked to ${what}: the bot key is wrong or was reset`, status);
  }
  return new ServiceFailure("campfire", kindForStatus(status), `Campfire answered ${status} when asked to ${what}`, status, retryAfterMs(response.headers));
}
