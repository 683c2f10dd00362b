import type { BudgetLimits } from "../config/budget";
import { log } from "../log";

/** Where an operator has set a bot: paused or running, and a budget that overrides wrangler.toml's until cleared. */
export interface ControlStatus {
  paused: boolean;
  /** When the bot was paused; null while it runs. */
  changedAt: number | null;
  /** The runtime budget override; null when wrangler.toml's budget applies. */
  budget: BudgetLimits | null;
}

/** A status and when it was read from the bot's control object: it holds for CONTROL_CACHE_MS from then. */
export interface KnownStatus {
  status: ControlStatus;
  at: number;
}

/**
 * How long an isolate trusts what it read: a pause or a budget change reaches every isolate within this, and the
 * hot path costs at most one request to the control object per isolate per this long.
 */
export const CONTROL_CACHE_MS = 5_000;

const RUNNING: ControlStatus = { paused: false, changedAt: null, budget: null };

/** The control object of a bot: its switch, its budget override and its audit log. */
export const controlOf = (env: Pick<Env, "CONTROL">, botId: string) => env.CONTROL.getByName(`control:${botId}`);

/** What each bot's status is as this isolate knows it; a read in flight is shared by every caller meanwhile. */
const known = new Map<string, { at: number; read: Promise<KnownStatus> }>();

/** The bot's status, at most CONTROL_CACHE_MS old. */
export async function controlStatus(
  env: Pick<Env, "CONTROL">,
  botId: string,
  now = Date.now(),
): Promise<ControlStatus> {
  return (await knownStatus(env, botId, now)).status;
}

/**
 * The bot's status with when it was read; `onRequest` is called when that takes a request to the control object.
 * Never throws: while the object cannot be reached the last status known holds (running, if none), and is logged.
 */
export function knownStatus(
  env: Pick<Env, "CONTROL">,
  botId: string,
  now = Date.now(),
  onRequest?: () => void,
): Promise<KnownStatus> {
  const cached = known.get(botId);
  if (cached && now >= cached.at && now - cached.at < CONTROL_CACHE_MS) return cached.read;
  onRequest?.();
  // A missing binding or a broken stub fails like an unreachable object: the catch below, never a throw.
  const read = Promise.resolve()
    .then(() => controlOf(env, botId).status())
    .then(
      (status): KnownStatus => ({
        status: { paused: status.paused, changedAt: status.changedAt, budget: status.budget },
        at: now,
      }),
      async (error: Error): Promise<KnownStatus> => {
        log("error", "control.unavailable", { bot: botId, error: String(error?.message ?? error).slice(0, 300) });
        return { status: cached ? (await cached.read).status : RUNNING, at: now };
      },
    );
  known.set(botId, { at: now, read });
  return read;
}

/**
 * What another isolate read, or a change this one made: kept unless this isolate knows something newer. The webhook
 * hands the conversation what it read, so the conversation's run needs no request of its own.
 */
export function adoptStatus(botId: string, status: KnownStatus): void {
  const cached = known.get(botId);
  if (!cached || cached.at <= status.at) known.set(botId, { at: status.at, read: Promise.resolve(status) });
}

/** The one sentence a paused bot answers with, in the webhook's response and for messages that waited. */
export const pausedSentence = (botName: string) => `${botName} is paused by an administrator; try again later.`;
