-- renew: ARGV[2] priority, ARGV[3] entry id, ARGV[4] workflow id, ARGV[5] worker,
-- ARGV[6] attempt. Returns 1 when the lease was still held. Resetting the entry's idle time
-- is all a renewal can do: expiry is the claimer's lease measured against that idle time.

local priority, id, worker = ARGV[2], ARGV[3], ARGV[5]
if not held(priority, id, ARGV[4], worker, ARGV[6]) then
  return 0
end
-- JUSTID leaves the delivery count, and so the attempt, as it is.
redis.call('XCLAIM', stream_key(priority), GROUP, worker, 0, id, 'JUSTID')
return 1
