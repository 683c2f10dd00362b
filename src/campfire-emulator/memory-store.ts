import {
  type CampfireStore,
  type CampfireUser,
  nextInstant,
  type PageFrom,
  type StoredBoost,
  type StoredMessage,
  type UploadedFile,
} from "./store.ts";

/** A message as the memory store keeps it: with the bodies it had before each edit, for tests to see. */
export interface MemoryMessage extends StoredMessage {
  /** Earlier bodies, oldest first. */
  edits: string[];
}

export interface MemoryBoost extends StoredBoost {
  roomId: number;
}

/**
 * A Campfire database in memory, for the Node fake and unit tests. Every user is in every room unless `rooms`
 * says which rooms there are; `authenticateBot` decides which keys are bots'. Ids keep growing across `clear()`,
 * so a bot that remembers message ids never meets one twice.
 */
export class MemoryCampfireStore implements CampfireStore {
  private messages: MemoryMessage[] = [];
  private boosts: MemoryBoost[] = [];
  private nextMessageId = 1000;
  private nextBoostId = 500;
  /** The newest message's creation time, so the next one is made after it. */
  private newest = 0;

  private readonly bots: (key: string) => CampfireUser | null;
  private readonly rooms: readonly number[] | undefined;
  /** The store's clock: a bench's virtual one, or the wall clock. */
  private readonly now: () => number;

  constructor(options: {
    authenticateBot: (key: string) => CampfireUser | null;
    rooms?: readonly number[];
    now?: () => number;
  }) {
    this.bots = options.authenticateBot;
    this.rooms = options.rooms;
    this.now = options.now ?? Date.now;
  }

  authenticateBot(key: string): CampfireUser | null {
    return this.bots(key);
  }

  isMember(roomId: number): boolean {
    return this.rooms?.includes(roomId) ?? true;
  }

  message(roomId: number, id: number): MemoryMessage | null {
    return this.messages.find((message) => message.id === id && message.roomId === roomId) ?? null;
  }

  page(roomId: number, from: PageFrom, limit: number): MemoryMessage[] {
    const inRoom = this.inRoom(roomId);
    // Campfire's `after`/`before` scopes compare created_at alone: a message made at the anchor's very instant is in neither.
    if ("after" in from) return inRoom.filter((message) => message.createdAt > from.after.createdAt).slice(0, limit);
    const before = "before" in from ? inRoom.filter((message) => message.createdAt < from.before.createdAt) : inRoom;
    return before.slice(-limit);
  }

  count(roomId: number): number {
    return this.inRoom(roomId).length;
  }

  /** A new message, created now (or `at`, for a test that needs a past one). */
  post(
    roomId: number,
    creator: CampfireUser,
    content: { html: string } | { file: UploadedFile },
    at = nextInstant(this.newest, this.now()),
  ): MemoryMessage {
    this.newest = Math.max(this.newest, at);
    const message: MemoryMessage = {
      id: this.nextMessageId++,
      roomId,
      createdAt: at,
      creator,
      html: "",
      edits: [],
    };
    if ("html" in content) message.html = content.html;
    else
      message.attachment = {
        filename: content.file.filename,
        contentType: content.file.contentType,
        byteSize: content.file.bytes.byteLength,
      };
    this.messages.push(message);
    return message;
  }

  edit(message: StoredMessage, html: string): MemoryMessage {
    const kept = this.kept(message);
    kept.edits.push(kept.html);
    kept.html = html;
    return kept;
  }

  remove(message: StoredMessage): void {
    this.messages = this.messages.filter((kept) => kept.id !== message.id);
    this.boosts = this.boosts.filter((boost) => boost.messageId !== message.id);
  }

  boost(message: StoredMessage, booster: CampfireUser, content: string): MemoryBoost {
    const boost = {
      id: this.nextBoostId++,
      roomId: message.roomId,
      messageId: message.id,
      content,
      booster,
      createdAt: this.now(),
    };
    this.boosts.push(boost);
    return boost;
  }

  boostBy(message: StoredMessage, boostId: number, boosterId: number): MemoryBoost | null {
    return (
      this.boosts.find(
        (boost) => boost.id === boostId && boost.messageId === message.id && boost.booster.id === boosterId,
      ) ?? null
    );
  }

  unboost(_message: StoredMessage, boost: StoredBoost): void {
    this.boosts = this.boosts.filter((kept) => kept.id !== boost.id);
  }

  /** Every message, or one room's, in the order they were posted. */
  allMessages(roomId?: number): MemoryMessage[] {
    return roomId === undefined ? [...this.messages] : this.inRoom(roomId);
  }

  allBoosts(roomId?: number): MemoryBoost[] {
    return this.boosts.filter((boost) => roomId === undefined || boost.roomId === roomId);
  }

  /** Forgets every message and boost, and when the newest was made (a bench's clock starts its day again); ids go on. */
  clear(): void {
    this.messages = [];
    this.boosts = [];
    this.newest = 0;
  }

  private inRoom(roomId: number): MemoryMessage[] {
    return this.messages.filter((message) => message.roomId === roomId).sort(compare);
  }

  private kept(message: StoredMessage): MemoryMessage {
    const kept = this.messages.find((candidate) => candidate.id === message.id);
    if (!kept) throw new Error(`message ${message.id} is not in the store`);
    return kept;
  }
}

/** Creation order: by time, and by id between messages given the same instant. */
const compare = (a: StoredMessage, b: StoredMessage) => a.createdAt - b.createdAt || a.id - b.id;
