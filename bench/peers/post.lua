-- wrk script of bench/peers/proc.mjs: every request POSTs the body in WRK_BODY with the headers
-- in WRK_HEADERS (one "Name: value" per line), and at the end one machine-readable line
-- (prefixed "wrk-summary") gives the totals and the latency percentiles in microseconds.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or "{}"
for line in (os.getenv("WRK_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-summary requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
