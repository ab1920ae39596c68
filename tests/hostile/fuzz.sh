#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of what hostile input reaches first: the NIR and SIRET
# parsers, the import file reader, and every JSON body of the API through the real router.
#
#   bash tests/hostile/fuzz.sh [SECONDES_PAR_CIBLE] [CIBLE…]     (default: 60 s, every target)
#
# Installs cargo-fuzz from crates.io when missing. The machine's toolchain is stable: RUSTC_BOOTSTRAP lets
# cargo-fuzz pass its flags, and no sanitizer is used (a panic or a failed assertion is the finding). A
# crashing input is kept under fuzz/artifacts/<cible>/ and replayed with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run <cible> --sanitizer none fuzz/artifacts/<cible>/<fichier>`.
set -euo pipefail
cd "$(dirname "$0")/../.."
duree=${1:-60}
shift || true
cibles=("$@")
[ ${#cibles[@]} -eq 0 ] && cibles=(nir siret import_jsonl corps_json)

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
for cible in "${cibles[@]}"; do
  echo "== $cible ($duree s)"
  mkdir -p "fuzz/corpus/$cible"
  cargo fuzz run "$cible" --sanitizer none "fuzz/corpus/$cible" -- -max_total_time="$duree" -rss_limit_mb=4096
done
