import { z } from "zod";
import { AUDIT_KINDS, type AuditFilter } from "./audit";

/** How many entries one `GET /admin/audit` answers with, by default and at most. */
export const AUDIT_PAGE = { default: 100, max: 1_000 } as const;

const FILTERS = ["bot", "room", "person", "kind", "limit"];
const id = (what: string) => z.string().regex(/^\d+$/, `must be a number: the ${what}'s Campfire id`).transform(Number);

const querySchema = z.strictObject(
  {
    bot: z.string().optional(),
    room: id("room").optional(),
    person: id("person").optional(),
    kind: z.enum(AUDIT_KINDS, { error: `must be one of ${AUDIT_KINDS.join(", ")}` }).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().min(1, "must be at least 1").max(AUDIT_PAGE.max, `must be at most ${AUDIT_PAGE.max}`))
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `there is no filter ${issue.keys.map((key) => `"${key.slice(0, 40)}"`).join(", ")}; the filters are ${FILTERS.join(", ")}`
        : undefined,
  },
);

/** `GET /admin/audit`'s query as a filter (and the bot it names, if any), or a sentence saying what is wrong. */
export function parseAuditQuery(
  query: Record<string, string>,
): { bot?: string; filter: AuditFilter } | { error: string } {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success)
    return {
      error: parsed.error.issues
        .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
        .join("; "),
    };
  const { bot, room, person, kind, limit } = parsed.data;
  return { bot, filter: { roomId: room, userId: person, kind, limit: limit ?? AUDIT_PAGE.default } };
}
