/** The bots the workerd tests run with, and their Campfire keys; shared by the config, the fakes and the tests. */
export const TEST_BOTS = {
  assistant: { name: "Assistant", system_prompt: "You are a helpful assistant in a Campfire chat room." },
  // Long enough to see all its conversations alive before they are forgotten together.
  leaktest: { name: "Leak test", session_ttl: "10s" },
  // Short enough that a conversation pausing for a few seconds would be forgotten.
  brief: { name: "Brief", session_ttl: "2s" },
  // Gives up on a turn after 3 s.
  hasty: { name: "Hasty", turn_timeout: "3s" },
  // Keeps only about 500 tokens of history.
  frugal: { name: "Frugal", history_budget_tokens: 500 },
  // A personal assistant with every kind of tool, a morning briefing, and a 2 s TTL to show reminders keep it alive.
  butler: {
    name: "Butler",
    time_zone: "Europe/Berlin",
    session_ttl: "2s",
    tools: ["room_history", "reminders"],
    max_tool_rounds: 3,
    web_search: { max_uses: 2 },
    web_fetch: { max_uses: 1 },
    mcp_servers: [{ name: "crm", url: "https://mcp.example.com/mcp", token_secret: "MCP_TOKEN_CRM" }],
    schedules: [
      { cron: "30 8 * * MON-FRI", room: 4242, prompt: "Write today's briefing from the room's last day of messages." },
    ],
  },
  // Answers from a library, stores notes in another, remembers people, and writes a weekly digest.
  librarian: {
    name: "Librarian",
    knowledge: ["handbook-test"],
    knowledge_write: ["notes-test"],
    memory: true,
    memory_ttl: "1h",
    schedules: [
      { cron: "0 7 * * MON", room: 4343, prompt: "Write this week's digest of what the notes library gained." },
    ],
  },
  // An operator's Monday briefing in room 4501 from three rooms and one it cannot read, the last two kept.
  briefer: {
    name: "Briefer",
    // Read only: the Worker keeps its briefings there, and people ask it about them with search_knowledge.
    knowledge: ["briefings-test"],
    schedules: [
      {
        cron: "0 9 * * MON",
        room: 4501,
        prompt: "Write the Monday briefing: decisions, open questions, what is due.",
        sources: [4502, 4503, 4504, 4505],
        library: "briefings-test",
        keep: 2,
      },
    ],
  },
  // A specialist, and a bot that may hand it questions.
  researcher: {
    name: "Researcher",
    system_prompt: "You are Researcher, who digs up facts about the history of computing.",
    knowledge: ["handbook-test"],
  },
  concierge: { name: "Concierge", consult: ["researcher"] },
  // Thinks before it answers, with a tool to make a tool loop.
  thinker: { name: "Thinker", max_tokens: 4096, thinking: { budget_tokens: 2048 }, tools: ["reminders"] },
  // Runs code at Anthropic and posts the files it writes.
  reporter: { name: "Reporter", code_execution: true, skills: ["xlsx"] },
  // Serves three rooms and two people, never person 13 nor room 9003, and takes no direct messages.
  gatekeeper: {
    name: "Gatekeeper",
    rooms: [9001, 9002, 9004],
    block_rooms: [9003],
    users: [7, 8],
    block_users: [13],
    direct_messages: false,
  },
  // Answered by a smaller model when its own is overloaded, rate-limited or down.
  understudy: { name: "Understudy", model: "claude-sonnet-5-5", fallback: { model: "claude-haiku-fallback-test" } },
  // Each held to one kind of budget, to be refused by it.
  budget_room: { name: "Assistant", time_zone: "Europe/Berlin", budget: { per_room_daily_usd: 5 } },
  budget_person: { name: "Personal", budget: { per_person_daily_usd: 0.5 } },
  budget_daily: { name: "Daily", time_zone: "America/New_York", budget: { daily_usd: 1 } },
  budget_monthly: { name: "Monthly", budget: { monthly_usd: 1 } },
  // Told once when an answer takes its day to 80 %.
  budget_warn: { name: "Thrifty", time_zone: "Europe/Berlin", budget: { daily_usd: 1 } },
  // Held to all four, with room to spare: what a turn costs in requests and rows, what it settles, what the tool says.
  budget_all: {
    name: "Allowance",
    time_zone: "Europe/Berlin",
    budget: { daily_usd: 100, monthly_usd: 1000, per_person_daily_usd: 10, per_room_daily_usd: 20 },
  },
  // Many conversations at once against one nearly spent day.
  budget_crowd: { name: "Crowd", budget: { daily_usd: 1 } },
  // A budget on a model with no price: its spending could not be counted.
  budget_unpriced: { name: "Unpriced", model: "claude-unpriced-1", budget: { daily_usd: 5 } },
  // People subscribe to digests of its rooms; its digests follow Berlin's clocks unless a person gives their own.
  digester: { name: "Digester", time_zone: "Europe/Berlin", digests: true },
  // Keeps a task list for each person (in their memory, for an hour after its last use), and sets reminders.
  tasker: {
    name: "Tasker",
    time_zone: "Europe/Berlin",
    memory: true,
    memory_ttl: "1h",
    tasks: true,
    tools: ["reminders"],
  },
  // Its prompt from the shipped Markdown file, and a temperature sent with every request.
  steady: { name: "Steady", system_prompt_file: "prompts/assistant.md", temperature: 0.2 },
};

export const MCP_TOKEN = "mcp-test-token";

export const TEST_KEYS = {
  assistant: "4-GZfqGLxdULBM",
  leaktest: "6-LeakTestKey0",
  brief: "7-BriefKeyAbc1",
  hasty: "8-HastyKeyAbcd",
  frugal: "9-FrugalKeyAbc",
  butler: "10-ButlerKeyAbc",
  librarian: "11-LibrarianAb",
  briefer: "47-BrieferKeyAb",
  researcher: "12-ResearchKey",
  concierge: "13-ConciergeKy",
  thinker: "14-ThinkerKeyA",
  reporter: "15-ReporterKey",
  gatekeeper: "16-GatekeeperK",
  understudy: "17-UnderstudyK",
  budget_room: "24-BudgetRoomK",
  budget_person: "25-BudgetPersn",
  budget_daily: "26-BudgetDaily",
  budget_monthly: "27-BudgetMonth",
  budget_warn: "28-BudgetWarnK",
  budget_all: "29-BudgetAllKy",
  budget_crowd: "30-BudgetCrowd",
  budget_unpriced: "31-BudgetNoPri",
  digester: "40-DigestBotKey",
  tasker: "32-TaskerKeyAb",
  steady: "33-SteadyKeyAb",
} satisfies Record<keyof typeof TEST_BOTS, string>;

export const ADMIN_TOKEN = "admin-test-token";
