/**
 * How many copies of one post to `room` travel to or from Redis with this
 * chapter's broker: the post goes in once (one script appends it to the
 * room's stream and publishes it), and Redis sends it out once to every
 * instance subscribed to the room's channel. An instance is subscribed
 * while it has at least one member in the room, once however many.
 * `layout` maps each instance to its members per room.
 */
function redisMessagesForPost(layout, room) {
  let subscribed = 0;
  for (const rooms of Object.values(layout)) if ((rooms[room] ?? 0) > 0) subscribed += 1;
  // One PUBLISH in, one message out per subscribed instance (the sender's own included).
  return 1 + subscribed;
}

// Three instances: a has 3 members in the lobby, b has 1 there and 2 in games, c has none.
redisMessagesForPost({ a: { lobby: 3 }, b: { lobby: 1, games: 2 }, c: {} }, 'lobby');
