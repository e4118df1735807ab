-- enqueue: ARGV[2..] are triples (workflow id, priority, not-before in Unix ms or '').
-- Returns how many workflows were new; one already queued, delayed or held is skipped.

local now = now_ms()
local added = 0
for i = 2, #ARGV, 3 do
  local workflow, priority, due = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if redis.call('SADD', QUEUED, workflow) == 1 then
    added = added + 1
    if due and due > now then
      redis.call('ZADD', DELAYED, due, priority .. ':0:' .. workflow)
    else
      ensure_level(priority)
      redis.call('XADD', stream_key(priority), '*', 'wf', workflow, 'base', 0)
    end
  end
end
return added
