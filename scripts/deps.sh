#!/usr/bin/env bash
# Installs the system packages geodata's commands and tests need, only the missing
# ones, through apt (as root, or with passwordless sudo). Safe to run every time.
set -euo pipefail

pkgs=(
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib   # the private PostGIS cluster
  gdal-bin proj-bin                                          # independent clients in tests (ogrinfo, ogr2ogr, cs2cs)
  chromium fonts-dejavu-core                                 # browser tests (with fonts for Vietnamese)
  raptor2-utils python3-rdflib                               # RDF parsers for the DCAT tests (rdflib: what ckanext-dcat uses)
  ca-certificates
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! sudo -n true 2>/dev/null; then
      echo "geodata: missing packages: ${missing[*]}" >&2
      echo "geodata: install them as root (apt-get install ${missing[*]}) or set DATABASE_URL to an existing PostGIS" >&2
      exit 1
    fi
    sudo="sudo -n"
  fi
  echo "geodata: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "geodata: Node.js 20 and npm are needed to build the web assets (MapLibre from npm)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "geodata: Node.js $node_major found; the browser tests need Node.js 20 or newer" >&2
  exit 1
fi
