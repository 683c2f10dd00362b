import type {
  CodeExecutionTool20260521,
  ContainerParams,
  Message,
  SkillParams,
} from "@anthropic-ai/sdk/resources/messages";

/** Anthropic's own skills, named by id in a bot's `skills`; any other id is one of the organization's own. */
const ANTHROPIC_SKILLS: ReadonlySet<string> = new Set(["xlsx", "docx", "pptx", "pdf"]);

/** The tools entry that lets Claude run code in a container (the newest version the SDK types). */
export function codeExecutionTool(): CodeExecutionTool20260521 {
  return { type: "code_execution_20260521", name: "code_execution" };
}

/**
 * The request's `container` field: the conversation's container (so a follow-up works on the same files) and the
 * bot's skills, always at their latest version. Undefined when there is neither, so the field is left out.
 */
export function containerParam(containerId: string | null, skills: readonly string[]): ContainerParams | undefined {
  if (!containerId && skills.length === 0) return undefined;
  const skillParams = skills.map(
    (id): SkillParams => ({ type: ANTHROPIC_SKILLS.has(id) ? "anthropic" : "custom", skill_id: id, version: "latest" }),
  );
  return { ...(containerId ? { id: containerId } : {}), ...(skillParams.length ? { skills: skillParams } : {}) };
}

/** The id of the container an answer ran in, to keep for the next turn; null when no code ran. */
export function containerIdOf(message: Pick<Message, "container">): string | null {
  return message.container?.id ?? null;
}
