import type { Billing, Meter } from "../conversation/meter";
import type { ConversationState } from "../conversation/state";
import type { ConversationStore } from "../conversation/store";
import { log } from "../log";
import type { ConversationReport } from "../registry/registry";
import { registryFor } from "../registry/shards";

function reportOf(state: ConversationState, waiting: number, billing: Billing): ConversationReport {
  const { roomId, startedAt, lastActivityAt, ttlMs, turns, fallbacks, usage, claudeMicros, failures } = state;
  return {
    roomId,
    startedAt,
    lastActivityAt,
    ttlMs,
    turns,
    fallbacks,
    waiting,
    retrying: state.retry.attempts > 0,
    usage,
    billing,
    claudeMicros,
    failures,
  };
}

/**
 * The registry hears of a conversation's turns at most this often: the console's figures (and the budgets' view
 * of them) are at most this old, and a burst of any size costs one report a minute, not one a turn.
 */
export const REPORT_EVERY_MS = 60_000;

/** What the registry must hear of at once: the birth, a change into or out of failing, each fallback turn. */
const phaseOf = (state: ConversationState) =>
  state.retry.attempts > 0 ? "retrying" : state.fallbacks > 0 ? `alive:${state.fallbacks}` : "alive";

/**
 * When the registry is next owed this conversation's totals: at once (a time already past) for a birth or a change
 * of phase; REPORT_EVERY_MS after the last report for turns settled since; null when it knows everything. Every
 * settled turn — answered, apologised for or refused — moves `lastActivityAt`, and with it what is untold.
 */
export function reportDueAt(state: ConversationState): number | null {
  if (state.reported !== phaseOf(state)) return state.reportedAt;
  return state.lastActivityAt > state.reportedAt ? state.reportedAt + REPORT_EVERY_MS : null;
}

/**
 * Tells the bot's registry shard the conversation's totals if that is due by `now` (see `reportDueAt`). Each report
 * is a Durable Object request: a steady conversation's messages a minute apart or less cost none beyond their two,
 * its alarm reporting them once a minute. Returns when the next report is due, for that alarm (null: none is); a
 * report that fails is tried again a minute later, and only costs the figures' freshness meanwhile.
 */
export async function reportIfDue(
  env: Env,
  store: ConversationStore,
  state: ConversationState,
  meter: Meter,
  now: number,
): Promise<number | null> {
  const due = reportDueAt(state);
  if (due === null || due > now) return due;
  meter.add({ doRequests: 1 });
  try {
    await registryFor(env, state.botId, state.roomId).report(reportOf(state, store.waitingCount(), state.billing));
    store.markReported(phaseOf(state), now);
    return null;
  } catch (error) {
    log("warn", "registry.report_failed", { bot: state.botId, room: state.roomId, error: (error as Error).message });
    return now + REPORT_EVERY_MS;
  }
}

/** The conversation is gone: its totals move to the registry's `ended` figures. */
export async function reportDeath(env: Env, state: ConversationState, billing: Billing, meter: Meter): Promise<void> {
  meter.add({ doRequests: 1 });
  try {
    await registryFor(env, state.botId, state.roomId).evicted(reportOf(state, 0, billing));
  } catch (error) {
    // The registry's sweep counts it as evicted later.
    log("warn", "registry.report_failed", { bot: state.botId, room: state.roomId, error: (error as Error).message });
  }
}
