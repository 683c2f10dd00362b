import { botMessagesPath, botUserId, CampfireClient, campfireSupports, type RoomMessage } from "../campfire";
import { ClaudeClient, type TokenUsage } from "../claude";
import type { BotConfig, Config } from "../config";
import { ServiceFailure } from "../failure";
import { log } from "../log";
import { escapeHtml, renderMarkdown } from "../render";
import { OfflineModel } from "../playground/offline-model";
import { splitMarkdown } from "../split";
import { runTools, toolsFor } from "../tools/run";
import type { ToolContext } from "../tools/tool";
import { buildPrompt, currentTime, turnsToDrop } from "./prompt";
import type { ConversationState, ConversationStore, Outgoing } from "./store";
import { PROGRESS_AFTER_MS, ReplyStreamer } from "./streamer";

/** What posting into the conversation's room needs; a missing setting is a failure, logged and reported. */
export function roomSettings(config: Config, state: ConversationState) {
  const bot = config.bots.get(state.botId);
  if (!bot) throw new ServiceFailure("anthropic", "not_configured", `bot "${state.botId}" is no longer in BOTS`);
  if (!bot.key || !config.campfireUrl) throw new ServiceFailure("campfire", "not_configured", `${bot.keySecret} or CAMPFIRE_URL is not set`);
  return { bot, path: botMessagesPath(state.roomId, bot.key), campfire: new CampfireClient(config.campfireUrl) };
}

/** What a turn needs to reach Claude (or, in the local playground without a key, the offline model) and Campfire. */
function turnSettings(config: Config, state: ConversationState) {
  const room = roomSettings(config, state);
  if (config.anthropicApiKey) return { ...room, claude: new ClaudeClient({ apiKey: config.anthropicApiKey, baseUrl: config.anthropicBaseUrl }) };
  if (config.playground) return { ...room, claude: new OfflineModel() };
  throw new ServiceFailure("anthropic", "not_configured", "ANTHROPIC_API_KEY is not set");
}

/**
 * Asks Claude for one turn: history within the bot's budget, recent room messages as context, tool calls run
 * and answered until Claude is done (bounded by the bot's tool rounds), the answer streamed into the room as
 * it comes, and the whole turn bounded by the bot's time limit.
 */
export async function askClaude(store: ConversationStore, state: ConversationState, config: Config, prompt: string, asker: string): Promise<TurnAnswer> {
  const { bot, path, campfire, claude } = turnSettings(config, state);
  const history = trimHistory(store, state, bot);
  const context = await roomContext(store, bot, campfire, path, state);
  const now = new Date();
  const { system, messages } = buildPrompt(bot, state.roomName, history, prompt, [context, currentTime(now, bot.timeZone)].filter(Boolean).join("\n\n"));
  const tools = toolsFor(bot);
  const toolContext: ToolContext = { botId: bot.id, roomId: state.roomId, timeZone: bot.timeZone, now, userName: asker, campfire, path, store };

  const streamer = new ReplyStreamer(
    campfire,
    path,
    store.draftMessageId() ?? (await orphanedDraft(store, campfire, path, bot)),
    campfireSupports.readsAndEdits(bot.id),
    { posting: () => store.startDraftPost(Date.now()), posted: (messageId) => store.setDraftMessageId(messageId) },
    () => campfireSupports.forget(bot.id),
  );
  const timeout = new AbortController();
  const timers = [setTimeout(() => timeout.abort(), bot.turnTimeoutMs), setTimeout(() => streamer.progress(), PROGRESS_AFTER_MS)];
  const usage: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  let text = "";
  let stopReason: string | null = null;
  try {
    for (let round = 0; ; round++) {
      const answer = await claude.ask(
        { model: bot.model, maxTokens: bot.maxTokens, system, messages, tools, mcpServers: bot.mcpServers },
        { onText: (snapshot) => streamer.update(joinText(text, snapshot)), signal: timeout.signal },
      );
      for (const key of Object.keys(usage) as (keyof TokenUsage)[]) usage[key] += answer.usage[key];
      text = joinText(text, answer.text);
      stopReason = answer.stopReason;
      // `pause_turn`: Anthropic paused a long server-tool turn; sending the answer back lets it go on.
      if (stopReason !== "tool_use" && stopReason !== "pause_turn") break;
      if (round + 1 >= bot.maxToolRounds) {
        text = joinText(text, `_(I stopped after ${bot.maxToolRounds} rounds of tool use, this bot's limit. Ask me to go on if you need more.)_`);
        break;
      }
      messages.push({ role: "assistant", content: answer.content });
      if (stopReason === "tool_use") messages.push({ role: "user", content: await runTools(answer.content, bot, toolContext) });
    }
    await streamer.settle();
    return { text, usage, stopReason, messageId: streamer.shownMessageId };
  } finally {
    // Nothing may outlive the turn: no timer, no request.
    for (const timer of timers) clearTimeout(timer);
    await streamer.settle();
  }
}

export interface TurnAnswer {
  text: string;
  usage: TokenUsage;
  stopReason: string | null;
  /** The message already shown in the room for this turn, if any. */
  messageId: number | null;
}

const joinText = (before: string, more: string) => [before, more].filter(Boolean).join("\n\n");

/** Drops the oldest exchanges once history is over the bot's token budget, so the bill per turn levels off. */
function trimHistory(store: ConversationStore, state: ConversationState, bot: BotConfig) {
  const history = store.history();
  const drop = turnsToDrop(history, bot.historyBudgetTokens);
  if (drop === 0) return history;
  store.dropHistoryThrough(history[drop - 1]!.seq);
  log("info", "history.trimmed", { bot: bot.id, room: state.roomId, dropped_turns: drop, kept_turns: history.length - drop });
  return history.slice(drop);
}

/**
 * Recent messages of the room that are not already part of the conversation, marked as context: in a shared
 * room Campfire only sends the bot what mentions it. An older Campfire without the read API: carry on without.
 */
async function roomContext(store: ConversationStore, bot: BotConfig, campfire: CampfireClient, path: string, state: ConversationState): Promise<string> {
  if (bot.roomContextMessages === 0 || !campfireSupports.readsAndEdits(bot.id)) return "";
  let recent: RoomMessage[] | null;
  try {
    recent = await campfire.recent(path);
  } catch (error) {
    log("warn", "room_context.failed", { bot: bot.id, room: state.roomId, error: (error as Error).message });
    return "";
  }
  if (recent === null) {
    campfireSupports.forget(bot.id);
    log("info", "campfire.no_read_api", { bot: bot.id, room: state.roomId });
    return "";
  }
  // The bot's own messages are already in the conversation as answers.
  const ownId = botUserId(bot.key);
  const lines = recent
    .filter((message) => message.creator.id !== ownId && !store.hasSeen(message.id) && message.text.trim())
    .slice(-bot.roomContextMessages)
    .map((message) => `${message.creator.name}: ${message.text.trim().slice(0, 500)}`);
  if (lines.length === 0) return "";
  return `Room context — recent messages in "${state.roomName}", oldest first, for reference only (not addressed to you):\n${lines.join("\n")}`;
}

/**
 * Posts an answer, split into parts Campfire shows well. The first part replaces the message the turn already
 * showed (streamed text or a progress line); each part posted is recorded, so a retry posts only the rest.
 */
export async function postOutgoing(store: ConversationStore, state: ConversationState, config: Config, outgoing: Outgoing, mayBeRepeat: boolean): Promise<void> {
  const { bot, path, campfire } = roomSettings(config, state);
  const parts = outgoing.kind === "reply" ? splitMarkdown(outgoing.markdown).map(renderMarkdown) : [`<p>${escapeHtml(outgoing.markdown)}</p>`];
  for (let index = outgoing.posted; index < parts.length; index++) {
    const html = parts[index]!;
    if (index === 0 && outgoing.messageId !== null) {
      try {
        await campfire.edit(path, outgoing.messageId, html);
      } catch (error) {
        if (!(error instanceof ServiceFailure && error.kind === "not_found")) throw error;
        // This Campfire cannot edit: post the answer as a new message and stop trying for this bot.
        campfireSupports.forget(bot.id);
        await campfire.post(path, html);
      }
    } else if (!(mayBeRepeat && index === outgoing.posted && (await alreadyPosted(campfire, path, bot, html, outgoing.queuedAt)))) {
      await campfire.post(path, html);
    }
    store.markPosted(index + 1);
  }
}

/**
 * The draft an earlier run of this turn posted but died before recording: the bot's newest message since then
 * that still ends in "…" (a streamed draft or the progress line). It is adopted, so the answer replaces it.
 */
async function orphanedDraft(store: ConversationStore, campfire: CampfireClient, path: string, bot: BotConfig): Promise<number | null> {
  const since = store.draftPostingSince();
  if (since === null) return null;
  const draft = (await ownMessagesSince(campfire, path, bot, since)).findLast((message) => message.text.trim().endsWith("…"));
  if (draft) store.setDraftMessageId(draft.id);
  return draft?.id ?? null;
}

/** Whether the bot already posted this text since `since`: a delivery cut off after Campfire took it. */
export async function alreadyPosted(campfire: CampfireClient, path: string, bot: BotConfig, html: string, since: number): Promise<boolean> {
  const text = plainText(html);
  return (await ownMessagesSince(campfire, path, bot, since)).some((message) => plainText(message.text) === text);
}

/** The bot's own recent messages in the room since `since`; none when this Campfire cannot be read. */
async function ownMessagesSince(campfire: CampfireClient, path: string, bot: BotConfig, since: number): Promise<RoomMessage[]> {
  if (!campfireSupports.readsAndEdits(bot.id)) return [];
  const recent = await campfire.recent(path).catch(() => null);
  const ownId = botUserId(bot.key);
  // A second of slack for clocks that differ between the Worker and Campfire.
  return (recent ?? []).filter((message) => message.creator.id === ownId && Date.parse(message.createdAt) >= since - 1_000);
}

/** Text without tags, entities or any white space, to compare our HTML with Campfire's plain text of it. */
function plainText(html: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => entities[name]!)
    .replace(/\s+/g, "");
}
