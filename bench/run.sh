#!/usr/bin/env bash
# make bench: the load benchmark of geodata, end to end on this machine.
#
# It writes the benchmark data (1,000,000 points, 2,000 lines; deterministic),
# imports it into a database of its own in the private cluster (geodata_bench,
# dropped and created afresh, never the geodata database of `make run`), serves it
# on a port of its own (18080, never 8080), runs every workload of bench/loadgen
# against it and a hello-world ceiling server, and prints one table. Results and
# the server's log go to bench/out/. With DATABASE_URL set, the benchmark database
# is created on that server instead.
#
# Settings (environment): BENCH_PORT, BENCH_DATABASE, BENCH_CONNECTIONS,
# BENCH_WARMUP, BENCH_DURATION, BENCH_WORKLOADS, BENCH_OUT.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-18080}
DB=${BENCH_DATABASE:-geodata_bench}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
WARMUP=${BENCH_WARMUP:-3s}
DURATION=${BENCH_DURATION:-10s}
WORKLOADS=${BENCH_WORKLOADS:-all}
OUT=${BENCH_OUT:-bench/out}
DATA=.geodata/bench
GEODATA=bin/geodata
LOADGEN=bin/loadgen

die() { echo "bench: $*" >&2; exit 1; }
[[ $DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DATABASE=$DB: use lower-case letters, digits and _"
[[ $DB != geodata ]] || die "BENCH_DATABASE must not be geodata, the database of make run"
[[ $PORT =~ ^[0-9]+$ && $PORT != 8080 ]] || die "BENCH_PORT=$PORT: use a port number other than 8080 (make run)"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	die "something already listens on 127.0.0.1:$PORT; stop it or set BENCH_PORT"
fi

# with_db URL NAME: the URL with its database name replaced (as store.WithDatabase does).
with_db() { sed -E "s#^(postgres(ql)?://[^/?]*)/[^?]*#\\1/$2#" <<<"$1"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

started=$(now)
mkdir -p "$OUT"
go build -o "$LOADGEN" ./bench/loadgen
"$GEODATA" db up
cluster_url=$("$GEODATA" db url)
bench_url=$(with_db "$cluster_url" "$DB")
[[ $bench_url == *"/$DB"* ]] || die "cannot derive the benchmark database URL from $cluster_url"

echo "== benchmark data ($DATA)"
t=$(now)
written=$("$GEODATA" sample --bench --out "$DATA")
echo "$written in $(since "$t") s"
features=$(sed -nE 's/.* ([0-9]+) features.*/\1/p' <<<"$written")

echo "== database $DB (created afresh)"
psql "$(with_db "$cluster_url" postgres)" -v ON_ERROR_STOP=1 -q \
	-c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

echo "== import"
t=$(now)
DATABASE_URL="$bench_url" "$GEODATA" import --manifest "$DATA/manifest.json" --force
secs=$(since "$t")
echo "import: $features features in $secs s in all, $(awk -v n="$features" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') rows/s"

echo "== serve on 127.0.0.1:$PORT (log: $OUT/server.log), then the workloads"
DATABASE_URL="$bench_url" "$GEODATA" serve --listen "127.0.0.1:$PORT" --lazy-downloads >"$OUT/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT

echo "($CONNECTIONS connections, $WARMUP warm-up, $DURATION measured each)"
"$LOADGEN" -url "http://127.0.0.1:$PORT" -server-pid "$pid" -wait-ready 30m -connections "$CONNECTIONS" \
	-warmup "$WARMUP" -duration "$DURATION" -workloads "$WORKLOADS" -out "$OUT/results.json"
echo "results: $OUT/results.json; make bench took $(since "$started") s"
