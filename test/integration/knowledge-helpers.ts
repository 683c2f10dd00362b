import { env } from "cloudflare:workers";
import type { DocumentInput } from "../../src/knowledge/library";

/** A few pages of a handbook: enough that ranking has wrong answers to avoid. */
export const HANDBOOK: DocumentInput[] = [
  {
    id: "leave",
    title: "Leave",
    source: null,
    body: `# Leave\n\nEveryone gets 28 days of paid holiday a year, plus public holidays.\n\n## Parental leave\n\nParents get 16 weeks of fully paid leave, to take within a year of the birth or adoption.\n\n## Sick leave\n\nTell your lead before 10:00 on the day. From the fourth day we need a doctor's note.`,
  },
  {
    id: "expenses",
    title: "Expenses",
    source: null,
    body: `# Expenses\n\nSubmit expenses within 30 days in the finance app.\n\n## Travel\n\nBook second-class train tickets; keep the receipts and photograph them for the claim. Flights need approval.\n\n## Equipment\n\nUp to 500 euros a year for a desk, chair or screen, with receipts.`,
  },
  {
    id: "oncall",
    title: "On-call",
    source: null,
    body: `# On-call\n\nOne engineer is on call per week, Monday to Monday. Pages outside office hours pay a flat fee.\n\n## Handover\n\nHand over open incidents on Monday at 11:00.`,
  },
];

/** A library of its own for one test, holding `docs`. */
export async function newLibrary(docs: DocumentInput[], name: string = crypto.randomUUID()) {
  const library = env.KNOWLEDGE.getByName(name);
  for (const doc of docs) {
    const result = await library.put(doc);
    if (!result.ok) throw new Error(`could not store ${doc.id}: ${result.refusal.reason}`);
  }
  return library;
}
