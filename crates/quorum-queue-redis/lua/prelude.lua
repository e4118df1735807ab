-- Prepended to every script: the key layout, the server clock and the lease check.
--
-- ARGV[1] is always the key prefix. Stream keys depend on priorities that are only known at
-- run time, so the scripts build key names from the prefix instead of taking KEYS; on Redis
-- Cluster the prefix must therefore carry a hash tag (`{quorum}`) to keep every key in one slot.

local PREFIX = ARGV[1]
local GROUP = 'workers'

local QUEUED = PREFIX .. ':queued'
local DELAYED = PREFIX .. ':delayed'
local PRIORITIES = PREFIX .. ':priorities'

local function stream_key(priority)
  return PREFIX .. ':stream:' .. priority
end

-- Where XAUTOCLAIM stopped scanning a level's pending entries, so that successive claims
-- sweep the whole list instead of rescanning its head.
local function cursor_key(priority)
  return PREFIX .. ':reclaim:' .. priority
end

-- Present while a level's last whole sweep for expired leases is recent (see claiming.lua).
local function swept_key(priority)
  return PREFIX .. ':swept:' .. priority
end

-- Due times come from the Redis clock so that workers with skewed clocks still agree.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function field(fields, name)
  if type(fields) ~= 'table' then
    return nil
  end
  for i = 1, #fields, 2 do
    if fields[i] == name then
      return fields[i + 1]
    end
  end
  return nil
end

-- A level's stream and group are created together on first use; the group starts at 0 so an
-- entry is never skipped however the stream came to exist.
local function ensure_level(priority)
  if redis.call('ZADD', PRIORITIES, priority, priority) == 1 then
    local created = redis.pcall('XGROUP', 'CREATE', stream_key(priority), GROUP, '0', 'MKSTREAM')
    if type(created) == 'table' and created.err and not string.find(created.err, 'BUSYGROUP') then
      error(created.err)
    end
  end
end

-- Acknowledged entries are deleted, so an empty stream holds nothing queued or held; dropping
-- it keeps claim from visiting dead levels and forgets consumers that are gone. A recreated
-- stream numbers its entries afresh, so the drop waits until the clock has left the
-- millisecond of the last entry: an entry id, and with it a lease id, is never reused.
local function drop_if_empty(priority, now)
  local stream = stream_key(priority)
  if redis.call('XLEN', stream) ~= 0 then
    return
  end
  local last = field(redis.call('XINFO', 'STREAM', stream), 'last-generated-id')
  local last_ms = tonumber(string.match(last or '', '^(%d+)-'))
  if last_ms and last_ms < now then
    redis.call('DEL', stream, cursor_key(priority), swept_key(priority))
    redis.call('ZREM', PRIORITIES, priority)
  end
end

-- The entry when `worker` still holds it as `attempt` for `workflow`, else nil. Worker and
-- attempt are both compared: another worker may have reclaimed it, or this worker may have
-- reclaimed it again after its own lease ran out, which is a new attempt.
local function held(priority, id, workflow, worker, attempt)
  local stream = stream_key(priority)
  if redis.call('EXISTS', stream) == 0 then
    return nil
  end
  local pending = redis.call('XPENDING', stream, GROUP, id, id, 1)[1]
  if not pending or pending[2] ~= worker then
    return nil
  end
  local entry = redis.call('XRANGE', stream, id, id)[1]
  if not entry then
    return nil
  end
  local base = tonumber(field(entry[2], 'base')) or 0
  if base + pending[4] ~= tonumber(attempt) or field(entry[2], 'wf') ~= workflow then
    return nil
  end
  return entry
end

