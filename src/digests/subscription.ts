import type { Person } from "../tools/tool";

/** Why a subscription ended. */
export type EndReason = "cancelled" | "admin" | "idle" | "not_in_room" | "shared_direct_room" | "never_fires";

/** A digest being posted: recorded before its turn is started, so a retried run starts the very same one. */
export interface Firing {
  /** The conversation's message id for this firing: a conversation starts one turn per id. */
  messageId: string;
  text: string;
  /** The newest message it covers, and that message's time. */
  uptoId: number;
  uptoAt: number;
}

/** One subscription, as the Digests object keeps it. */
export interface Subscription {
  id: number;
  owner: Person;
  /** The room it was asked in, which it summarises. */
  roomId: number;
  roomName: string;
  /** Where it is posted: that room, or the owner's direct room with the bot. */
  postRoomId: number;
  cron: string;
  /** Its own time zone; null for the bot's `time_zone`. */
  timeZone: string | null;
  focus: string;
  createdAt: number;
  nextDueAt: number;
  /** The newest message the last digest covered (at first: the newest when it was made), and its time. */
  coveredId: number;
  coveredAt: number;
  deliveredAt: number | null;
  /** Failed firings in a row. */
  failures: number;
  firing: Firing | null;
  endedAt: number | null;
  endedWhy: EndReason | null;
  /** When its owner was last seen talking to the bot. */
  seenAt: number;
}

/** What a new subscription is made of. */
export type NewSubscription = Pick<
  Subscription,
  | "owner"
  | "roomId"
  | "roomName"
  | "postRoomId"
  | "cron"
  | "timeZone"
  | "focus"
  | "nextDueAt"
  | "coveredId"
  | "coveredAt"
>;
