import type { Settlement } from "../budget/counters";
import type { AckBoost } from "../campfire/ack-boost";
import type { Capability } from "../campfire/room";
import type { FailureCounts } from "../failure";
import type { Rhythm } from "./cache-ttl";
import type { Billing } from "./meter";
import type { TokenUsage } from "./model";
import type { RoomContext } from "./transcript";

/** A message waiting for the bot's answer, in arrival order. */
export interface PendingMessage {
  seq: number;
  /** Campfire's id of the message, to boost it; null for a payload without one, or a scheduled turn. */
  messageId: number | null;
  userId: number;
  userName: string;
  text: string;
  /** The notes its answer must carry (a briefing's rooms it could not read or had to cut); none for a person's message. */
  notes: string[];
}

/** An answer (or an apology) ready to post, kept until Campfire has it so a crash or outage cannot lose it. */
export interface Outgoing {
  kind: "reply" | "error";
  /** The last inbox message this answers; everything up to it is settled once it is posted. */
  uptoSeq: number;
  /** The user turn as Claude saw it, recorded in the transcript with the reply, and the room context shown with it. */
  prompt: string;
  context: RoomContext | null;
  markdown: string;
  /** A message already in the room for this turn (streamed text or a progress line): the first part edits it. */
  messageId: number | null;
  /** How many of the answer's parts are already posted, so a retry or restart posts only the rest. */
  posted: number;
  /** When it was stored; a repeated delivery looks for its own earlier post only after this. */
  queuedAt: number;
  /** Files the model's code wrote, posted after the text, one message each (Files API ids). */
  files: string[];
  /** The boost put on the asker's message while the bot worked, removed once the answer is posted. */
  boost: AckBoost | null;
}

export interface ConversationState {
  botId: string;
  roomId: number;
  roomName: string;
  ttlMs: number;
  startedAt: number;
  lastActivityAt: number;
  turns: number;
  /** Turns its bot's fallback model answered. */
  fallbacks: number;
  usage: TokenUsage;
  /** What Claude cost so far, in micro-dollars, each call at the price of the model that made it. */
  claudeMicros: number;
  retry: { attempts: number; at: number | null; since: number | null };
  draft: { messageId: number | null; postingSince: number | null };
  outgoing: Outgoing | null;
  /** The code-execution container this conversation's files live in. */
  containerId: string | null;
  lacks: Set<Capability>;
  /** Whether any message waits for an answer. */
  waiting: boolean;
  billing: Billing;
  /** What the registry was last told: null before the first report. */
  reported: string | null;
  /** When the conversation last asked the model, and the gaps between its turns: what the cache ttls are chosen from. */
  rhythm: Rhythm;
  /** When the registry was last told the conversation's totals (0: never). */
  reportedAt: number;
  /** Failed attempts so far (and turns refused by a pause or a budget), by the console's tallies. */
  failures: FailureCounts;
  /** The last turn's reservation against the bot's budget and its real cost, until the next turn or eviction settles it. */
  budget: Settlement | null;
}
