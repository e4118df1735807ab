-- ack_and_claim: ARGV[2..4] as claim's, ARGV[5..] the finished leases' quintuples, acknowledged
-- first so that none of them is claimed again. Returns { acknowledged, claimed triples }.

local acked = acknowledge(5, false)
return { acked, claim(ARGV[2], tonumber(ARGV[3]), ARGV[4]) }
