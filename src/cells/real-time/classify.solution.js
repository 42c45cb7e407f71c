const answers = {
  // A miss is a failure of the whole system.
  'pacemaker pulse': 'hard',
  'airbag trigger': 'hard',
  // Worthless once late: thrown away, and the next one is used.
  'video-call frame': 'firm',
  'price quote for a trading algorithm': 'firm',
  // Still worth something late, just less.
  'chunk of a streamed film': 'soft',
  'chat message': 'soft',
  'live dashboard update': 'soft',
  // Arguable: firm once a newer position has arrived,
  // soft if the game still makes use of it.
  "another player's position in a game": 'firm',
};
