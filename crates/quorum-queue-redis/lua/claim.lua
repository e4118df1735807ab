-- claim: ARGV[2] worker (the consumer name), ARGV[3] max, ARGV[4] lease in ms.

return claim(ARGV[2], tonumber(ARGV[3]), ARGV[4])
