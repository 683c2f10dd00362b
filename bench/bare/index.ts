// The baseline for ack latency: a Worker that answers 204 at once, run on the same workerd as the bot.
export default {
  fetch: () => new Response(null, { status: 204 }),
};
