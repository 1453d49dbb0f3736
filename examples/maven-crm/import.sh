#!/usr/bin/env bash
# Loads the Maven CRM sample (sales teams, products, accounts, 8,800 opportunities) into Rapport in
# one command, with the b2b dictionary template and the mappings of this folder.
#
#   examples/maven-crm/import.sh [--data-dir DIR | --database-url URL] [--config FILE] [CSV_FOLDER]
#
# CSV_FOLDER holds sales_teams.csv, products.csv, accounts.csv and sales_pipeline.csv (default:
# ../shared/datasets/crm_sales_opportunities from the repository root). The rapport binary is
# $RAPPORT_BIN, else `rapport` on the PATH, else the repository's release or debug build.
# Running it again imports nothing twice: every row is matched to what the first run created.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
folder="$root/../shared/datasets/crm_sales_opportunities"
database=()

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --data-dir|--database-url|--config)
            [ $# -ge 2 ] || { echo "error: $1 needs a value" >&2; exit 2; }
            database+=("$1" "$2"); shift 2 ;;
        --data-dir=*|--database-url=*|--config=*) database+=("$1"); shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) folder="$1"; shift ;;
    esac
done

rapport="${RAPPORT_BIN:-}"
if [ -z "$rapport" ]; then
    if command -v rapport >/dev/null 2>&1; then rapport="rapport"
    elif [ -x "$root/.build/release/rapport" ]; then rapport="$root/.build/release/rapport"
    elif [ -x "$root/.build/debug/rapport" ]; then rapport="$root/.build/debug/rapport"
    else echo "error: no rapport binary: set RAPPORT_BIN or build with swift build -c release" >&2; exit 2
    fi
fi

for file in sales_teams.csv products.csv accounts.csv sales_pipeline.csv; do
    [ -f "$folder/$file" ] || { echo "error: $folder/$file not found (pass the folder of the four CSV files)" >&2; exit 2; }
done

step() {
    local title="$1" kind="$2" file="$3" mapping="$4"; shift 4
    echo "== $title ($file)"
    "$rapport" import "$kind" "$folder/$file" --mapping-file "$here/$mapping" --allow-repeat ${database[@]+"${database[@]}"} "$@"
}

started=$(date +%s)
step "Sales teams" team-members sales_teams.csv sales-teams-mapping.json --dictionary-template b2b --email-domain maven.invalid
step "Products" products products.csv products-mapping.json
step "Accounts" accounts accounts.csv accounts-mapping.json
step "Opportunities" opportunities sales_pipeline.csv sales-pipeline-mapping.json
echo "== Done in $(( $(date +%s) - started )) s"
