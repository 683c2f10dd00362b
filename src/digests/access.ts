import { log } from "../log";
import type { Person, ToolContext } from "../tools/tool";
import type { EndReason, Subscription } from "./subscription";

/** The Durable Object holding one bot's digest subscriptions. */
export const digestsName = (botId: string) => `digests:${botId}`;
export const digestsOf = (env: Pick<Env, "DIGESTS">, botId: string) => env.DIGESTS.getByName(digestsName(botId));

/** A subscription as the tools and operators see it: metadata, never what a digest said. */
export interface DigestView {
  id: number;
  owner: Person;
  roomId: number;
  roomName: string;
  postRoomId: number;
  cron: string;
  timeZone: string;
  focus: string;
  createdAt: number;
  nextDueAt: number;
  deliveredAt: number | null;
  endedAt: number | null;
  endedWhy: EndReason | null;
}

export const viewOf = (subscription: Subscription, botTimeZone: string): DigestView => ({
  id: subscription.id,
  owner: subscription.owner,
  roomId: subscription.roomId,
  roomName: subscription.roomName,
  postRoomId: subscription.postRoomId,
  cron: subscription.cron,
  timeZone: subscription.timeZone ?? botTimeZone,
  focus: subscription.focus,
  createdAt: subscription.createdAt,
  nextDueAt: subscription.nextDueAt,
  deliveredAt: subscription.deliveredAt,
  endedAt: subscription.endedAt,
  endedWhy: subscription.endedWhy,
});

/** What the subscribe tool asks for, the asker aside. */
export interface DigestRequest {
  roomId: number;
  roomName: string;
  /** Post it in the owner's direct room with the bot rather than in this room. */
  direct: boolean;
  cron: string;
  timeZone: string | null;
  focus: string;
  /** The newest message in the room now: the first digest covers what comes after it. */
  startAfter: { id: number; at: number };
}

/** A change the owner asked for, done or refused with a sentence saying why. */
export type DigestChange = { digest: DigestView } | { error: string };

/** One person's digests with one bot, as a turn may touch them: bound to the asker when the turn starts. */
export interface DigestsApi {
  subscribe(request: Omit<DigestRequest, "roomName">): Promise<DigestChange>;
  /** Their subscriptions, live and recently ended. */
  mine(): Promise<DigestView[]>;
  cancel(id: number): Promise<DigestChange>;
}

/** What the digest tools are handed: every tool's context, and the asker's digests. */
export interface DigestsToolContext extends ToolContext {
  /** Absent for a bot without `digests`, and in a turn that speaks for no one. */
  digests?: DigestsApi;
}

/**
 * The digests of `owner` with `botId`, in the room named `roomName`. Bound once when the turn starts, with the
 * newest message's sender, so nothing Claude sends can act on someone else's subscriptions.
 */
export function digestsFor(
  env: Pick<Env, "DIGESTS">,
  botId: string,
  owner: Person,
  roomName: string,
  onRequest: () => void,
): DigestsApi {
  const stub = digestsOf(env, botId);
  return {
    subscribe: (request) => {
      onRequest();
      return stub.subscribe(owner, { ...request, roomName });
    },
    mine: () => {
      onRequest();
      return stub.mine(owner.id);
    },
    cancel: (id) => {
      onRequest();
      return stub.cancel(owner, id);
    },
  };
}

/**
 * A direct conversation with the bot was born: its Digests object learns the person's direct room (where a digest
 * may be posted) and that they talked to the bot. Once per conversation life, never per message; never throws.
 */
export async function noteDirectRoom(
  env: Pick<Env, "DIGESTS">,
  botId: string,
  userId: number,
  roomId: number,
  onRequest: () => void,
): Promise<void> {
  onRequest();
  try {
    await digestsOf(env, botId).sawDirect(userId, roomId);
  } catch (error) {
    log("warn", "digests.unavailable", { bot: botId, room: roomId, error: (error as Error).message.slice(0, 300) });
  }
}
