/** The Durable Object name of one person's memory with one bot: each bot keeps its own memory of each person. */
export const memoryName = (botId: string, userId: number): string => `memory:${botId}:${userId}`;
