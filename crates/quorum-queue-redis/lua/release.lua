-- release: ARGV[2] priority, ARGV[3] entry id, ARGV[4] workflow id, ARGV[5] worker,
-- ARGV[6] attempt, ARGV[7] delay in ms. Returns 1 when the lease was still held and the job
-- now waits out the delay; the workflow stays in the queued set throughout.

local priority, id, workflow, attempt = ARGV[2], ARGV[3], ARGV[4], ARGV[6]
if not held(priority, id, workflow, ARGV[5], attempt) then
  return 0
end
local now = now_ms()
local stream = stream_key(priority)
redis.call('XACK', stream, GROUP, id)
redis.call('XDEL', stream, id)
drop_if_empty(priority, now)
-- The attempts so far travel with the job, so its next claim counts on from them.
redis.call('ZADD', DELAYED, now + tonumber(ARGV[7]), priority .. ':' .. attempt .. ':' .. workflow)
return 1
