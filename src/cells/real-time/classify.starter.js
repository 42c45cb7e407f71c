// What does a late result mean for each of these systems?
// Answer 'hard', 'firm' or 'soft'.
const answers = {
  'pacemaker pulse': '',
  'airbag trigger': '',
  'video-call frame': '',
  'price quote for a trading algorithm': '',
  'chunk of a streamed film': '',
  'chat message': '',
  'live dashboard update': '',
  "another player's position in a game": '',
};
