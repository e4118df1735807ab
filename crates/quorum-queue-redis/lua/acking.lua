-- acknowledge(first, tidy): ARGV[first..] are quintuples (priority, entry id, workflow id,
-- worker, attempt). Returns how many of the leases were still held; those jobs are gone. With
-- tidy false a level left empty stays, for the claim that follows to drop when it finds it so.

local function acknowledge(first, tidy)
  local now = now_ms()
  local acked = 0
  for i = first, #ARGV, 5 do
    local priority, id, workflow = ARGV[i], ARGV[i + 1], ARGV[i + 2]
    if held(priority, id, workflow, ARGV[i + 3], ARGV[i + 4]) then
      local stream = stream_key(priority)
      redis.call('XACK', stream, GROUP, id)
      redis.call('XDEL', stream, id)
      redis.call('SREM', QUEUED, workflow)
      if tidy then
        drop_if_empty(priority, now)
      end
      acked = acked + 1
    end
  end
  return acked
end
