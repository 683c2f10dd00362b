import type { Billing } from "../conversation/meter";
import type { Meter } from "../conversation/meter";
import type { ConversationState } from "../conversation/state";
import type { ConversationStore } from "../conversation/store";
import { log } from "../log";
import type { ConversationReport } from "../registry/registry";
import { registryFor } from "../registry/shards";

function reportOf(state: ConversationState, waiting: number, billing: Billing): ConversationReport {
  const { roomId, startedAt, lastActivityAt, ttlMs, turns, fallbacks, usage } = state;
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
  };
}

/**
 * Tells the bot's registry shard of a conversation's birth, when it starts or stops failing, and of each turn its
 * fallback model answered (the primary is in trouble: operators watch that as it happens) — not of every turn:
 * each report is a Durable Object request, and a steady conversation should cost two per message.
 * A failure only costs metrics accuracy.
 */
export async function reportBirthOrChange(
  env: Env,
  store: ConversationStore,
  state: ConversationState,
  meter: Meter,
): Promise<void> {
  const phase = state.retry.attempts > 0 ? "retrying" : state.fallbacks > 0 ? `alive:${state.fallbacks}` : "alive";
  if (state.reported === phase) return;
  meter.add({ doRequests: 1 });
  try {
    await registryFor(env, state.botId, state.roomId).report(reportOf(state, store.waitingCount(), state.billing));
    store.markReported(phase);
  } catch (error) {
    log("warn", "registry.report_failed", { bot: state.botId, room: state.roomId, error: (error as Error).message });
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
