#!/usr/bin/env bash
# TR-3: how long a trace request takes over a big log on PostgreSQL. Loads N traces (default 10 million)
# straight into a throw-away schema built by the real migrations, then times, with EXPLAIN ANALYZE, the
# first page (100 traces) of the requests the API makes: by user, by partner, by dossier (matricule, and
# matricule or NIR hash), by user over one day. Prints each plan's index and execution time.
#
#   bench/traces.sh [N]          PARTAGE_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/test)
set -euo pipefail
N=${1:-10000000}
URL=${PARTAGE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
SCHEMA=bench_traces_$$
DIR=$(cd "$(dirname "$0")/.." && pwd)
psql_() { psql "$URL" -v ON_ERROR_STOP=1 -q "$@"; }
trap 'psql_ -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true' EXIT

{
  echo "CREATE SCHEMA $SCHEMA; SET search_path = $SCHEMA;"
  cat "$DIR"/crates/store-postgres/migrations/*.sql
} | psql_ >/dev/null

start=$(date +%s)
# 2 caisses, 400 partners, 20,000 users, 500,000 dossiers; one trace a second from 2026-01-01; a third of the
# consultations name a NIR hash (not found), the others a matricule.
psql_ -c "SET search_path = $SCHEMA;
  INSERT INTO traces (horodatage, caisse, utilisateur, partenaire, source, action, bouquet, rubriques,
                      matricule, nir_hache, resultat)
  SELECT timestamptz '2026-01-01' + n * interval '1 second',
         CASE WHEN n % 2 = 0 THEN 'MSA-ADL' ELSE 'CAF-59' END,
         'agent' || (n % 20000), 'T' || (n % 400), '192.0.2.1', 'consultation', 'QF', NULL,
         CASE WHEN n % 3 <> 0 THEN lpad((n % 500000)::text, 7, '0') END,
         CASE WHEN n % 3 = 0 THEN md5(n::text) || md5((n + 1)::text) END,
         CASE WHEN n % 3 = 0 THEN 'dossier_introuvable' ELSE 'succes' END
  FROM generate_series(1, $N) AS n;
  ANALYZE traces;"
echo "$N traces chargées en $(( $(date +%s) - start )) s"

cols="id, horodatage, caisse, utilisateur, partenaire, source, action, bouquet, rubriques, matricule, nir_hache, resultat"
run() {
  local label=$1 where=$2
  local plan
  plan=$(psql_ -At -c "SET search_path = $SCHEMA; EXPLAIN (ANALYZE, BUFFERS)
    SELECT $cols FROM traces WHERE caisse = 'MSA-ADL' AND $where AND id > 0 ORDER BY id LIMIT 100")
  printf '%-32s %-28s %s\n' "$label" \
    "$(grep -oE 'traces_[a-z_]+' <<<"$plan" | sort -u | tr '\n' ' ')" \
    "$(grep -E 'Execution Time' <<<"$plan" | sed 's/^ *//')"
}
run "par utilisateur" "utilisateur = 'agent42'"
run "par partenaire" "partenaire = 'T8'"
run "par matricule" "matricule = '0000044'"
run "par NIR (matricule ou empreinte)" "(matricule = '0000044' OR nir_hache = md5('42') || md5('43'))"
run "par utilisateur sur un jour" "utilisateur = 'agent42' AND horodatage >= '2026-01-02' AND horodatage < '2026-01-03'"
