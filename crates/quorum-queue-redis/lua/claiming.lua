-- claim(worker, max, lease_ms): up to max triples (lease id, workflow id, attempt), highest
-- priority first, each now held by worker (the consumer name) for lease_ms.

-- Enough to keep up with any realistic backlog while bounding the time the script runs.
local PROMOTE_BATCH = 1000
-- XAUTOCLAIM scans at most ten times COUNT pending entries per call.
local RECLAIM_ROUNDS = 4

local function claim(worker, max, lease_ms)
  local now = now_ms()
  local due = redis.call('ZRANGEBYSCORE', DELAYED, '-inf', now, 'LIMIT', 0, PROMOTE_BATCH)
  for _, member in ipairs(due) do
    local priority, base, workflow = string.match(member, '^([^:]+):(%d+):(.*)$')
    -- An unreadable member stays where depth still counts it rather than vanish.
    if priority then
      redis.call('ZREM', DELAYED, member)
      ensure_level(priority)
      redis.call('XADD', stream_key(priority), '*', 'wf', workflow, 'base', base)
    end
  end

  local claimed = {}

  -- The attempt is the releases carried in the entry plus this consumer group's delivery count,
  -- which XREADGROUP starts at 1 and every XAUTOCLAIM raises.
  local function take(priority, stream, entry, deliveries)
    local workflow = field(entry[2], 'wf')
    if not workflow then
      -- Nothing to run: an entry without a workflow would otherwise be reclaimed forever.
      redis.call('XACK', stream, GROUP, entry[1])
      redis.call('XDEL', stream, entry[1])
      return
    end
    local base = tonumber(field(entry[2], 'base')) or 0
    claimed[#claimed + 1] = { priority .. '/' .. entry[1], workflow, base + deliveries }
  end

  for _, priority in ipairs(redis.call('ZREVRANGE', PRIORITIES, 0, -1)) do
    if #claimed >= max then
      break
    end
    local stream = stream_key(priority)
    local before = #claimed

    -- Entries idle longer than a lease belong to a worker that died or stopped heartbeating.
    -- After a whole sweep the next waits a tenth of a lease: it is most of what a claim costs,
    -- and an expired lease is then taken over at most that much later.
    if redis.call('EXISTS', swept_key(priority)) == 0 then
      local cursor = redis.call('GET', cursor_key(priority)) or '0-0'
      for _ = 1, RECLAIM_ROUNDS do
        local want = max - #claimed
        if want <= 0 then
          break
        end
        local reply = redis.call('XAUTOCLAIM', stream, GROUP, worker, lease_ms, cursor, 'COUNT', want)
        cursor = reply[1]
        for _, entry in ipairs(reply[2]) do
          local pending = redis.call('XPENDING', stream, GROUP, entry[1], entry[1], 1)[1]
          if pending then
            take(priority, stream, entry, pending[4])
          end
        end
        if cursor == '0-0' then
          break
        end
      end
      if cursor == '0-0' then
        redis.call('DEL', cursor_key(priority))
        redis.call('SET', swept_key(priority), 1, 'PX', math.max(1, math.floor(lease_ms / 10)))
      else
        redis.call('SET', cursor_key(priority), cursor)
      end
    end

    local want = max - #claimed
    if want > 0 then
      local reply = redis.call('XREADGROUP', 'GROUP', GROUP, worker, 'COUNT', want, 'STREAMS', stream, '>')
      if reply then
        for _, entry in ipairs(reply[1][2]) do
          take(priority, stream, entry, 1)
        end
      end
    end
    if #claimed == before then
      drop_if_empty(priority, now)
    end
  end

  return claimed
end
