#!/usr/bin/env bash
# Issue #6, parts 3 and 9: how long the first build of the daily statistics (TR-4) and the retention purge
# take on a big log, on PostgreSQL and on SQLite, through the real code (`App::construire_statistiques`,
# `App::purger_traces`, as `partage tick` runs them; crates/cli/examples/mesure_conservation.rs).
#
# For each store: a throw-away database migrated by `partage migrate`, a référentiel of 2 caisses, 400
# partners each, one convention each (half of them ended on 01/02/2025 and followed by a new one), then N
# traces (default 1 million), one every 10 seconds from 01/01/2025 (8,640 a day, ~116 days for a million),
# 2,000 agents, QF and PSU, a fiftieth failed logins. The clock is set to 02/03/2026 06:00 UTC with 12 months
# of retention: the first checkpoint covers every trace, the statistics build every day from 01/01/2025 to
# 01/03/2026 (425 days, those with traces and those without), and the purge blanks the traces stamped
# before 02/03/2025 06:00 UTC (~521,000 for a million), by pages of 1,000.
#
#   bench/conservation.sh [N] [postgres|sqlite|both]
#   PARTAGE_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/test): the server where a database
#   bench_conservation_PID is created, then dropped.
set -euo pipefail
N=${1:-1000000}
QUOI=${2:-both}
URL=${PARTAGE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
DB=bench_conservation_$$
PG_URL="${URL%/*}/$DB"
DIR=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
MAINTENANT=2026-03-02T06:00:00Z
RETENTION=12
psql_() { psql "$URL" -v ON_ERROR_STOP=1 -q "$@"; }
menage() {
  rm -rf "$TMP"
  if [ "$QUOI" != sqlite ]; then psql_ -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; fi
}
trap menage EXIT

(cd "$DIR" && nice cargo build -q --locked -p partage-cli --bin partage --example mesure_conservation)
BIN="$DIR/target/debug"

# $1: the store's URL. Migrates, runs the loading SQL from stdin with $2, then measures.
mesurer() {
  local url=$1 client=$2 start
  PARTAGE_DATABASE_URL=$url "$BIN/partage" migrate >/dev/null
  start=$(date +%s)
  $client
  echo "$N traces chargées en $(( $(date +%s) - start )) s"
  "$BIN/examples/mesure_conservation" "$url" "$MAINTENANT" "$RETENTION" "$TMP/cle-$RANDOM.hex"
}

charger_postgres() {
  psql "$PG_URL" -v ON_ERROR_STOP=1 -q <<SQL
INSERT INTO caisses (code, nom, regime, departements)
  VALUES ('MSA-ADL', 'MSA Ardèche Drôme Loire', 'MSA', '{07,26,42}'), ('CAF-59', 'CAF du Nord', 'CAF', '{59}');
INSERT INTO partenaires (caisse_id, numero_tiers, nom, categorie, siret, departements)
  SELECT c.id, 'T' || k, 'Partenaire ' || k, 'CCAS', '73282932000074', c.departements
  FROM caisses c, generate_series(0, 399) AS k;
INSERT INTO conventions (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le)
  SELECT caisse_id, 'C-' || numero_tiers, id, '{QF,PSU}', '2024-01-01', '2024-01-15',
         CASE WHEN id % 2 = 0 THEN date '2025-02-01' END
  FROM partenaires;
INSERT INTO conventions (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le)
  SELECT caisse_id, 'C2-' || numero_tiers, id, '{QF,PSU}', '2025-01-20', '2025-02-01', NULL
  FROM partenaires WHERE id % 2 = 0;
INSERT INTO traces (horodatage, caisse, utilisateur, partenaire, source, action, bouquet, rubriques,
                    matricule, nir_hache, resultat)
  SELECT timestamptz '2025-01-01 00:00:00+00' + n * interval '10 seconds',
         CASE WHEN n % 2 = 0 THEN 'MSA-ADL' ELSE 'CAF-59' END,
         'agent' || (n % 2000), 'T' || (n % 400), '192.0.2.1',
         CASE WHEN n % 50 = 0 THEN 'connexion' ELSE 'consultation' END,
         CASE WHEN n % 50 = 0 THEN NULL WHEN n % 5 = 0 THEN 'PSU' ELSE 'QF' END,
         CASE WHEN n % 50 <> 0 THEN 'coordonnees_dossier,montant_qf' END,
         CASE WHEN n % 50 <> 0 AND n % 3 <> 0 THEN lpad((n % 500000)::text, 7, '0') END,
         CASE WHEN n % 50 <> 0 AND n % 3 = 0 THEN md5(n::text) || md5((n + 1)::text) END,
         CASE WHEN n % 50 = 0 THEN 'echec_mot_de_passe' WHEN n % 3 = 0 THEN 'dossier_introuvable'
              WHEN n % 17 = 0 THEN 'non_habilite' ELSE 'succes' END
  FROM generate_series(1, $N) AS n;
ANALYZE;
SQL
}

charger_sqlite() {
  sqlite3 "$TMP/bench.sqlite" <<SQL
.bail on
BEGIN;
INSERT INTO caisses (code, nom, regime, departements)
  VALUES ('MSA-ADL', 'MSA Ardèche Drôme Loire', 'MSA', '["07","26","42"]'), ('CAF-59', 'CAF du Nord', 'CAF', '["59"]');
WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < 399)
INSERT INTO partenaires (caisse_id, numero_tiers, nom, categorie, siret, departements)
  SELECT c.id, 'T' || k, 'Partenaire ' || k, 'CCAS', '73282932000074', c.departements FROM caisses c, k;
INSERT INTO conventions (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le)
  SELECT caisse_id, 'C-' || numero_tiers, id, '["QF","PSU"]', '2024-01-01', '2024-01-15',
         CASE WHEN id % 2 = 0 THEN '2025-02-01' END
  FROM partenaires;
INSERT INTO conventions (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le)
  SELECT caisse_id, 'C2-' || numero_tiers, id, '["QF","PSU"]', '2025-01-20', '2025-02-01', NULL
  FROM partenaires WHERE id % 2 = 0;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $N)
INSERT INTO traces (horodatage, caisse, utilisateur, partenaire, source, action, bouquet, rubriques,
                    matricule, nir_hache, resultat)
  SELECT strftime('%Y-%m-%dT%H:%M:%S.000000Z', 1735689600 + n * 10, 'unixepoch'),
         CASE WHEN n % 2 = 0 THEN 'MSA-ADL' ELSE 'CAF-59' END,
         'agent' || (n % 2000), 'T' || (n % 400), '192.0.2.1',
         CASE WHEN n % 50 = 0 THEN 'connexion' ELSE 'consultation' END,
         CASE WHEN n % 50 = 0 THEN NULL WHEN n % 5 = 0 THEN 'PSU' ELSE 'QF' END,
         CASE WHEN n % 50 <> 0 THEN 'coordonnees_dossier,montant_qf' END,
         CASE WHEN n % 50 <> 0 AND n % 3 <> 0 THEN printf('%07d', n % 500000) END,
         CASE WHEN n % 50 <> 0 AND n % 3 = 0 THEN printf('%064x', n) END,
         CASE WHEN n % 50 = 0 THEN 'echec_mot_de_passe' WHEN n % 3 = 0 THEN 'dossier_introuvable'
              WHEN n % 17 = 0 THEN 'non_habilite' ELSE 'succes' END
  FROM s;
COMMIT;
ANALYZE;
SQL
}

if [ "$QUOI" != sqlite ]; then
  echo "== PostgreSQL ($(psql_ -At -c 'SHOW server_version'))"
  psql_ -c "CREATE DATABASE $DB" >/dev/null
  mesurer "$PG_URL" charger_postgres
fi
if [ "$QUOI" != postgres ]; then
  echo "== SQLite ($(sqlite3 --version | cut -d' ' -f1))"
  mesurer "sqlite://$TMP/bench.sqlite" charger_sqlite
fi
