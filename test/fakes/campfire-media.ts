/** What Campfire keeps of an uploaded file: a file message shows it and carries no text. */
export interface Attachment {
  /** As Active Storage keeps it: trimmed, with characters unsafe for storage turned into "-". */
  name: string;
  type: string;
  size: number;
}

/** A boost (reaction) on a message, as the fake Campfire stores it. */
export interface Boost {
  id: number;
  roomId: number;
  messageId: number;
  content: string;
  booster: { id: number; name: string };
  createdAt: string;
}

/**
 * The file in a multipart upload's `attachment` field, parsed the way a browser-facing server would; null when
 * the body is not multipart or has no file there (Campfire then has nothing to post).
 */
export async function readAttachment(raw: Buffer, contentType: string | undefined): Promise<Attachment | null> {
  if (!contentType?.startsWith("multipart/form-data")) return null;
  try {
    const form = await new Request("http://fake/upload", { method: "POST", headers: { "content-type": contentType }, body: new Uint8Array(raw) }).formData();
    const file = form.get("attachment");
    if (!(file instanceof File)) return null;
    return { name: storedFilename(file.name), type: file.type, size: file.size };
  } catch {
    return null;
  }
}

/** Active Storage's `Filename#sanitized`, which Campfire shows and gives as a file message's plain text. */
function storedFilename(name: string): string {
  return name.trim().replace(/[\u202e%$|:;/\t\r\n\\]/g, "-");
}

/** Boosts by bots: add with content, remove only one's own. */
export function boostStore() {
  let boosts: Boost[] = [];
  let nextId = 500;
  return {
    list: (roomId?: number) => (roomId === undefined ? boosts : boosts.filter((b) => b.roomId === roomId)),
    add(roomId: number, messageId: number, content: string, booster: Boost["booster"]): Boost {
      const boost = { id: nextId++, roomId, messageId, content, booster, createdAt: new Date().toISOString() };
      boosts.push(boost);
      return boost;
    },
    /** Removes the booster's own boost; false when there is no such boost. */
    remove(roomId: number, messageId: number, boostId: number, boosterId: number): boolean {
      const boost = boosts.find((b) => b.id === boostId && b.roomId === roomId && b.messageId === messageId && b.booster.id === boosterId);
      if (!boost) return false;
      boosts = boosts.filter((b) => b !== boost);
      return true;
    },
    /** A deleted message takes its boosts with it. */
    forgetMessage: (messageId: number) => (boosts = boosts.filter((b) => b.messageId !== messageId)),
    reset: () => (boosts = []),
  };
}

/** The JSON Campfire answers a created boost with. */
export const boostJson = (boost: Boost) => ({ id: boost.id, content: boost.content, created_at: boost.createdAt, booster: boost.booster, message: { id: boost.messageId } });
