import { z } from "zod";
import { ServiceFailure } from "../failure";
import { type CampfireTransport, campfireFailure } from "./transport";

const BoostAnswer = z.object({ id: z.number().int() });

/**
 * Boosts (reacts to) a message, e.g. with 👀 while the bot works on it. Campfire answers 201 with the boost's
 * JSON, whose id is needed to remove it. Boosts came to Campfire in 2026: an older one answers 404, which
 * comes back as "unsupported" for the caller to remember.
 */
export async function addBoost(
  send: CampfireTransport,
  messagesPath: string,
  messageId: number,
  content: string,
): Promise<{ boostId: number } | "unsupported"> {
  const what = `boost message ${messageId}`;
  const response = await send(`${messagesPath}/${messageId}/boosts`, {
    method: "POST",
    headers: { "content-type": "text/plain; charset=utf-8" },
    body: content,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return "unsupported";
  }
  if (response.status < 200 || response.status >= 300) {
    await response.body?.cancel();
    throw campfireFailure(response, what);
  }
  const answer = BoostAnswer.safeParse(await response.json().catch(() => null));
  if (!answer.success)
    throw new ServiceFailure(
      "campfire",
      "bad_request",
      `Campfire accepted the boost on message ${messageId} but its answer had no numeric id`,
      response.status,
    );
  return { boostId: answer.data.id };
}

/** Removes the bot's own boost; one already gone (404) is fine, as removing it was the point. */
export async function removeBoost(
  send: CampfireTransport,
  messagesPath: string,
  messageId: number,
  boostId: number,
): Promise<void> {
  const what = `remove boost ${boostId} from message ${messageId}`;
  const response = await send(`${messagesPath}/${messageId}/boosts/${boostId}`, { method: "DELETE" });
  await response.body?.cancel();
  if (response.status === 404 || (response.status >= 200 && response.status < 300)) return;
  throw campfireFailure(response, what);
}
