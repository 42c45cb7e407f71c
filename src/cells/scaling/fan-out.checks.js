/** The reader's count for `layout`, with the call as it reads in a failure. */
const count = (layout, room) => {
  const redisMessagesForPost = variable('redisMessagesForPost');
  expectTrue(typeof redisMessagesForPost === 'function', `expected redisMessagesForPost to be a function, got ${typeof redisMessagesForPost}`);
  return redisMessagesForPost(layout, room);
};
const call = (layout, room) => `redisMessagesForPost(${JSON.stringify(layout)}, ${JSON.stringify(room)})`;

await check("counts the post going in and coming back to the sender's own instance", () => {
  const layout = { a: { lobby: 1 } };
  const got = count(layout, 'lobby');
  if (got === 1) fail(`expected ${call(layout, 'lobby')} to be 2, got 1: instance a is subscribed too (its member is in the room), so Redis sends the post back to it, and that is how the sender gets it, with its id`);
  expectEqual(got, 2, `${call(layout, 'lobby')} to be`);
});

await check('sends one message to each instance with members in the room, however many it has', () => {
  const layout = { a: { lobby: 3 }, b: { lobby: 1, games: 2 }, c: {} };
  const got = count(layout, 'lobby');
  if (got === 4) fail(`expected ${call(layout, 'lobby')} to be 3, got 4: that is one message per member. Redis publishes to instances, and each instance hands the post to its own members`);
  expectEqual(got, 3, `${call(layout, 'lobby')} (1 in, 1 to a, 1 to b) to be`);
});

await check('sends nothing to an instance whose members are all in other rooms, or that has none left', () => {
  const layout = { a: { lobby: 2 }, b: { games: 50 }, c: { lobby: 0 } };
  expectEqual(count(layout, 'lobby'), 2, `${call(layout, 'lobby')} (b and c are not subscribed to the lobby) to be`);
});

await check('keeps a big room cheap: 1,000 members on 4 instances', () => {
  const layout = { i1: { hall: 250 }, i2: { hall: 250 }, i3: { hall: 250 }, i4: { hall: 250 } };
  expectEqual(count(layout, 'hall'), 5, `${call(layout, 'hall')} to be`);
});
