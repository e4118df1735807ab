-- wrk script for bench/peers/n8n: every request POSTs a small JSON body to the webhook, and at
-- the end one machine-readable line (prefixed "wrk-summary") gives the totals and the latency
-- percentiles in microseconds, for bench.mjs to read.
wrk.method = "POST"
wrk.body = '{"order":1,"note":"quorum peers bench"}'
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-summary requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
