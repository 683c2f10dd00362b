/** The people and rooms of the local playground: two shared rooms and a direct-message room per person. */
export const USERS = [
  { id: 7, name: "Ada Lovelace" },
  { id: 8, name: "Grace Hopper" },
];

export const ROOMS = [
  { id: 1, name: "Watercooler", direct: false },
  { id: 2, name: "Lab", direct: false },
  ...USERS.map((user) => ({ id: 100 + user.id, name: `Direct: ${user.name.split(" ")[0]}`, direct: true })),
];
