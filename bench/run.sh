#!/usr/bin/env bash
# Load benchmark of the QF consultation, beside GET /healthz on the same server in the same run.
#   bench/run.sh            SQLite (a fresh file)
#   bench/run.sh postgres   the local PostgreSQL (a fresh database partage_bench)
# Env: DOSSIERS (per caisse, default 50000: 100,000 in all), DUREE (seconds per run, default 20),
#      CONNEXIONS (default 64), BIN (a binary to measure instead of building this tree's),
#      JOURNAL (seconds; when set, the verifiable log is extended and a checkpoint signed every JOURNAL
#      seconds during the consultation run, by `partage traces checkpoint` beside the server: the cost of
#      the log's append on the ratio, issue #6).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
dossiers=${DOSSIERS:-50000}
duree=${DUREE:-20}
connexions=${CONNEXIONS:-64}
port=${PORT:-18443}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
# BIN=path/to/partage measures that binary instead (to compare two builds, run them alternately).
if [ -n "${BIN:-}" ]; then bin=$BIN; else cargo build --release -q; bin=target/release/partage; fi
work=$(mktemp -d)
server=
cleanup() {
  # The server ends by our signal: its status is not the run's.
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ "$backend" = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS partage_bench" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# The server's data (the log's signing key) stays in the run's folder, not in the working tree.
export PARTAGE_DATA_DIR="$work/data"

case $backend in
  sqlite) export PARTAGE_DATABASE_URL="sqlite://$work/bench.sqlite" ;;
  postgres)
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS partage_bench" -c "CREATE DATABASE partage_bench"
    export PARTAGE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/partage_bench" ;;
  *) echo "usage: bench/run.sh [sqlite|postgres]" >&2; exit 2 ;;
esac

"$bin" demo --dossiers "$dossiers" --ecrire "$work/demo.jsonl" >/dev/null
# The first agent of the first caisse, his password, and the NIRs of the dossiers in his partner's competence.
python3 bench/pick.py "$work/demo.jsonl" "$work/nirs.txt" > "$work/login.env"
source "$work/login.env"
start=$(date +%s.%N)
"$bin" import "$work/demo.jsonl"
end=$(date +%s.%N)
import_s=$(python3 -c "print(round($end - $start, 2))")

# One token drives the whole load: the per-user consultation rate is lifted for the measurement (its own
# cost, a map lookup under a mutex, stays in the path).
PARTAGE_CONSULTATIONS_PAR_SECONDE=100000 PARTAGE_CONSULTATIONS_RAFALE=100000 \
  "$bin" serve --http --listen "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

login() {
  curl -sf -X POST "http://127.0.0.1:$port/api/v1/session" -H 'Content-Type: application/json' \
    -d "{\"caisse\":\"$CAISSE\",\"identifiant\":\"$IDENTIFIANT\",\"mot_de_passe\":\"$1\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["jeton"])'
}
jeton=$(login "$MOT_DE_PASSE")
nouveau="banc-d-essai-$(date +%s)-partage"
curl -sf -X PUT "http://127.0.0.1:$port/api/v1/session/mot-de-passe" -H "Authorization: Bearer $jeton" \
  -H 'Content-Type: application/json' -d "{\"actuel\":\"$MOT_DE_PASSE\",\"nouveau\":\"$nouveau\"}"
export PARTAGE_JETON=$jeton PARTAGE_NIRS="$work/nirs.txt"

# The server's CPU time (user + system, in clock ticks) during each run: its cost per request is steadier
# than the throughput on a noisy machine, where wrk and the server share the two cores.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
run() {
  local avant apres
  avant=$(cpu)
  wrk -t2 -c"$connexions" -d"${duree}s" --timeout 5s "$@" | grep '^RESULT' | tr -d '\n'
  apres=$(cpu)
  echo " cpu_ticks=$((apres - avant)) hz=$(getconf CLK_TCK)"
}
health=$(run -s bench/healthz.lua "http://127.0.0.1:$port/healthz")
signer=
if [ -n "${JOURNAL:-}" ]; then
  # Time one checkpoint with nothing new to hash: the command's own start-up, which the server's
  # schedule does not pay; it is counted in the run below.
  "$bin" traces checkpoint >/dev/null 2>&1
  t0=$(date +%s%N); "$bin" traces checkpoint >/dev/null 2>&1; t1=$(date +%s%N)
  echo "checkpoint à vide : $(( (t1 - t0) / 1000000 )) ms" >"$work/journal.txt"
  ( while sleep "$JOURNAL"; do "$bin" traces checkpoint 2>>"$work/journal.log" >/dev/null || exit 1; done ) &
  signer=$!
fi
qf=$(run -s bench/qf.lua "http://127.0.0.1:$port/api/v1/consultations/qf")
if [ -n "$signer" ]; then
  kill "$signer" 2>/dev/null || true
  wait "$signer" 2>/dev/null || true
  echo "points de contrôle signés pendant la mesure : $(grep -c 'point de contrôle' "$work/journal.log" || true)" >>"$work/journal.txt"
  grep -i 'erreur\|error' "$work/journal.log" | head -3 >>"$work/journal.txt" || true
fi
traces=$("$bin" traces export 2>/dev/null | wc -l)

[ -f "$work/journal.txt" ] && cat "$work/journal.txt"
python3 - "$backend" "$dossiers" "$import_s" "$health" "$qf" "$traces" <<'PY'
import sys
backend, dossiers, import_s, health, qf, traces = sys.argv[1:]
def parse(line):
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
h, q = parse(health), parse(qf)
hr, qr = h["requests"] / h["duration_s"], q["requests"] / q["duration_s"]
print(f"backend            {backend}")
print(f"dossiers importés  {2 * int(dossiers)} en {import_s} s")
print(f"GET /healthz       {hr:10.0f} req/s  p50 {h['p50_ms']:.2f} ms  p99 {h['p99_ms']:.2f} ms")
print(f"POST qf            {qr:10.0f} req/s  p50 {q['p50_ms']:.2f} ms  p99 {q['p99_ms']:.2f} ms  non-2xx {int(q['non2xx'])}")
print(f"ratio qf/healthz   {100 * qr / hr:.1f} %")
for name, r in (("GET /healthz", h), ("POST qf", q)):
    us = 1e6 * r["cpu_ticks"] / r["hz"] / r["requests"]
    print(f"CPU serveur        {us:6.1f} µs par requête {name}")
print(f"traces écrites     {traces} (≥ requêtes qf {int(q['requests'])})")
if q["non2xx"] > 0:
    # A refusal (429 from the per-user rate, say) is cheaper than a consultation: the ratio is not valid.
    print("ATTENTION : des consultations n'ont pas abouti, le rapport ne vaut pas mesure")
    sys.exit(1)
PY
