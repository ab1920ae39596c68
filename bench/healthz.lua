-- wrk script: the bare endpoint, to measure what this machine can do at all in the same run.
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.3f p50_ms=%.3f p99_ms=%.3f non2xx=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status))
end
