/**
 * The Lua scripts of `RedisChatBroker`. Redis runs each one atomically, so
 * what must agree across processes (the next id, who holds a name, how many
 * rooms exist) is decided in one place, with no lock.
 */

/**
 * The next id of the room, the event stored under `<id>-0` in the room's
 * stream (trimmed to about `historyLength`), and published to the room's
 * channel, all at once: ids are one increasing sequence per room, and every
 * subscriber gets events in id order.
 * With a third key (a message's clientId record), the clientId is checked
 * and recorded in the same step: when it names a message still in the
 * retained history, nothing is logged and that message's id comes back, so
 * a resend racing the original (or following a lost reply) is never logged
 * twice.
 * KEYS: meta, log[, clientId record]. ARGV: type as JSON, time (ms), the
 * other fields as JSON without their opening brace, historyLength, channel,
 * seconds the clientId record is kept. Returns { id, 1 if a duplicate else 0 }.
 */
export const LOG_EVENT = `
if KEYS[3] then
  local earlier = tonumber(redis.call('GET', KEYS[3]) or '0')
  local last = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
  if earlier > 0 and earlier > last - tonumber(ARGV[4]) then return { earlier, 1 } end
end
local id = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local event = '{"type":' .. ARGV[1] .. ',"id":' .. id .. ',"at":' .. ARGV[2] .. ',' .. ARGV[3]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], id .. '-0', 'e', event)
redis.call('PUBLISH', ARGV[5], event)
if KEYS[3] then redis.call('SET', KEYS[3], id, 'EX', ARGV[6]) end
return { id, 0 }
`;

/**
 * Finds or creates a room. An existing room is kept (its expiry, set when it
 * emptied, is removed). A new one must fit the room caps; when it does not,
 * the room that has been empty longest (the one closest to expiring) is
 * forgotten, as the in-memory broker does.
 * KEYS: meta, rooms set, this address's rooms set, members, log, typing.
 * ARGV: new epoch, address, maxRooms, maxRoomsPerAddress, room, room key
 * prefix, address key prefix. Returns { status, epoch }.
 */
export const ENSURE_ROOM = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[5])
  redis.call('PERSIST', KEYS[6])
  return { 'OK', redis.call('HGET', KEYS[1], 'epoch') }
end
local function meta(name) return ARGV[6] .. name .. ':meta' end
local function prune(set)
  for _, name in ipairs(redis.call('SMEMBERS', set)) do
    if redis.call('EXISTS', meta(name)) == 0 then redis.call('SREM', set, name) end
  end
end
local function evictOldestEmpty(set)
  local oldest, oldestTtl = nil, nil
  for _, name in ipairs(redis.call('SMEMBERS', set)) do
    local ttl = redis.call('PTTL', meta(name))
    if ttl > 0 and (oldestTtl == nil or ttl < oldestTtl) then oldest, oldestTtl = name, ttl end
  end
  if oldest == nil then return false end
  local creator = redis.call('HGET', meta(oldest), 'createdBy')
  redis.call('DEL', meta(oldest), ARGV[6] .. oldest .. ':log', ARGV[6] .. oldest .. ':typing')
  redis.call('SREM', KEYS[2], oldest)
  if creator then redis.call('SREM', ARGV[7] .. creator .. ':rooms', oldest) end
  return true
end
prune(KEYS[2])
prune(KEYS[3])
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) and not evictOldestEmpty(KEYS[3]) then
  return { 'TOO_MANY_ROOMS_FROM_ADDRESS', '' }
end
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) and not evictOldestEmpty(KEYS[2]) then
  return { 'TOO_MANY_ROOMS', '' }
end
redis.call('DEL', KEYS[5], KEYS[6])
redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'createdBy', ARGV[2], 'seq', 0)
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[3], ARGV[5])
return { 'OK', ARGV[1] }
`;

/**
 * Whether a member other than \`except\` holds a name that looks like this
 * one: the same field (folded skeleton) or the same skeleton as typed
 * (\`typed\` in the record: \`Iris\` and \`lris\` differ folded, not as typed).
 * Checked inside the scripts that take a name, so two processes cannot give
 * look-alikes at once.
 */
const LOOKS_TAKEN = `
local function looksTaken(members, field, typed, except)
  local holder = redis.call('HGET', members, field)
  if holder and cjson.decode(holder).id ~= except then return true end
  local all = redis.call('HVALS', members)
  for i = 1, #all do
    local record = cjson.decode(all[i])
    if record.typed == typed and record.id ~= except then return true end
  end
  return false
end
`;

/**
 * Takes a seat under a name and a place of the address, at once: refused
 * when the name looks like a present member's ('TAKEN'), the room is full
 * ('FULL') or the address holds its maximum of places ('PLACES'). The
 * address's place count only moves in the scripts that add or remove seats,
 * so it cannot drift from the seats when a process dies between two calls.
 * KEYS: members, the address's places. ARGV: field, member record (JSON),
 * maxMembersPerRoom, the name's skeleton as typed, maxPlacesPerAddress.
 */
export const CLAIM_NAME = `${LOOKS_TAKEN}
if looksTaken(KEYS[1], ARGV[1], ARGV[4], '') then return 'TAKEN' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 'FULL' end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[5]) then return 'PLACES' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return 'OK'
`;

/**
 * Replaces a member's record, moving it to another field for a rename;
 * 'GONE' when the seat is no longer this member's (its lease expired),
 * 'TAKEN' when another member holds a look-alike of the new name. KEYS:
 * members. ARGV: old field, new field, member id, new record (JSON), the new
 * name's skeleton as typed.
 */
export const REPLACE_MEMBER = `${LOOKS_TAKEN}
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record or cjson.decode(record).id ~= ARGV[3] then return 'GONE' end
if looksTaken(KEYS[1], ARGV[2], ARGV[5], ARGV[3]) then return 'TAKEN' end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
return 'OK'
`;

/** Gives back the place of a removed seat's address (never below 0). ARGV of the caller: the address key prefix. */
const RELEASE_PLACE = `
local function releasePlace(prefix, record)
  local places = prefix .. cjson.decode(record).address .. ':places'
  if tonumber(redis.call('GET', places) or '0') > 0 then redis.call('DECR', places) end
end
`;

/**
 * Frees a member's seat and its address's place if the seat is still this
 * member's, and starts the room's expiry when it empties. Returns the
 * record, or nil when the seat was already gone. KEYS: members, meta, log,
 * typing. ARGV: field, member id, emptyRoomRetentionMs, address key prefix.
 */
export const LEAVE_ROOM = `${RELEASE_PLACE}
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record or cjson.decode(record).id ~= ARGV[2] then return nil end
redis.call('HDEL', KEYS[1], ARGV[1])
releasePlace(ARGV[4], record)
if redis.call('HLEN', KEYS[1]) == 0 then
  for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], math.max(1, tonumber(ARGV[3]))) end
end
return record
`;

/**
 * Removes every seat whose process's lease (\`proc:<pid>\`) has expired,
 * with its address's place, and returns their records; only the process
 * whose script removed a seat logs its \`left\`. KEYS: members, meta, log,
 * typing. ARGV: lease key prefix, emptyRoomRetentionMs, address key prefix.
 */
export const SWEEP_DEAD_MEMBERS = `${RELEASE_PLACE}
local all = redis.call('HGETALL', KEYS[1])
local alive = {}
local gone = {}
for i = 1, #all, 2 do
  local pid = cjson.decode(all[i + 1]).pid
  if alive[pid] == nil then alive[pid] = redis.call('EXISTS', ARGV[1] .. pid) == 1 end
  if not alive[pid] then
    redis.call('HDEL', KEYS[1], all[i])
    releasePlace(ARGV[3], all[i + 1])
    table.insert(gone, all[i + 1])
  end
end
if #gone > 0 and redis.call('HLEN', KEYS[1]) == 0 then
  for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], math.max(1, tonumber(ARGV[2]))) end
end
return gone
`;

/**
 * A token bucket shared by every process, timed by the Redis server's
 * clock: 1 when a token was taken, 0 when the bucket is empty.
 * KEYS: bucket. ARGV: tokens per second, burst.
 */
export const TAKE_TOKEN = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return taken
`;
