-- depth: no arguments beyond the prefix. Returns the jobs queued, delayed or held: every
-- entry still in a stream (acknowledged ones are deleted) plus the delayed set.

local depth = redis.call('ZCARD', DELAYED)
for _, priority in ipairs(redis.call('ZRANGE', PRIORITIES, 0, -1)) do
  depth = depth + redis.call('XLEN', stream_key(priority))
end
return depth
