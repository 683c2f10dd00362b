import type { DigestStore } from "./store";

/** The `people` table: when each owner was last seen talking to the bot, and their direct room with it once known. */
export class PeopleStore {
  constructor(private readonly store: DigestStore) {}

  /** The owner was seen talking to the bot at `at`; their direct room with it is `directRoomId`, when known. */
  seen(userId: number, at: number, directRoomId?: number): void {
    this.store.create();
    this.store.sql(
      `INSERT INTO people (user_id, direct_room_id, seen_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (user_id) DO UPDATE SET seen_at = max(seen_at, ?3), direct_room_id = coalesce(?2, direct_room_id)`,
      userId,
      directRoomId ?? null,
      at,
    );
  }

  /** The owner talked to the bot at `at`: kept only for someone the object already knows. */
  touch(userId: number, at: number): void {
    if (this.store.exists) this.store.sql("UPDATE people SET seen_at = max(seen_at, ?) WHERE user_id = ?", at, userId);
  }

  directRoom(userId: number): number | null {
    if (!this.store.exists) return null;
    return (
      this.store
        .sql<{ room: number | null }>("SELECT direct_room_id AS room FROM people WHERE user_id = ?", userId)
        .toArray()[0]?.room ?? null
    );
  }
}
