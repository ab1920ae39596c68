-- wrk script: POST /api/v1/consultations/qf with a bearer token, cycling over a file of NIRs.
-- Environment: PARTAGE_JETON (session token), PARTAGE_NIRS (file, one NIR a line).
local token = os.getenv("PARTAGE_JETON")
local nirs = {}
for line in io.lines(os.getenv("PARTAGE_NIRS")) do nirs[#nirs + 1] = line end
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

function init(args)
  i = offset or 0
end

function request()
  i = i + 1
  local nir = nirs[(i % #nirs) + 1]
  return wrk.format("POST", "/api/v1/consultations/qf", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, '{"nir":"' .. nir .. '"}')
end

-- No response() callback: wrk counts the answers that are not 2xx/3xx itself (summary.errors.status), and
-- defining one makes wrk hand every answer's headers and body to Lua, load-generator work that ran on the
-- same two cores as the server and was counted against the consultation, not against /healthz.
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.3f p50_ms=%.3f p99_ms=%.3f non2xx=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status))
end
