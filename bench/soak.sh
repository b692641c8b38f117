#!/usr/bin/env bash
# make soak: the memory of a loaded server over time. It serves the benchmark
# database that `make bench` imported (geodata_bench; run make bench first) on
# port 18080, runs a mix of workloads back to back for SOAK_MINUTES minutes
# (default 5) and samples the server's resident memory (VmRSS) every
# SOAK_EVERY seconds (default 10). The curve goes to bench/out/soak-rss.tsv
# (seconds, MB) and is printed at the end with its first, last, lowest and
# highest values.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-18080}
DB=${BENCH_DATABASE:-geodata_bench}
MINUTES=${SOAK_MINUTES:-5}
EVERY=${SOAK_EVERY:-10}
OUT=${BENCH_OUT:-bench/out}
WORKLOADS=items-small,items-district,items-filter,nearby,tiles-z10,tiles-z14,tiles-lines-z10
GEODATA=bin/geodata
LOADGEN=bin/loadgen

die() { echo "soak: $*" >&2; exit 1; }
[[ $DB =~ ^[a-z_][a-z0-9_]*$ && $DB != geodata ]] || die "BENCH_DATABASE=$DB: not the database of make run"
[[ $MINUTES =~ ^[0-9]+$ && $EVERY =~ ^[0-9]+$ && $EVERY -gt 0 ]] || die "SOAK_MINUTES and SOAK_EVERY are whole numbers"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	die "something already listens on 127.0.0.1:$PORT; stop it or set BENCH_PORT"
fi
with_db() { sed -E "s#^(postgres(ql)?://[^/?]*)/[^?]*#\\1/$2#" <<<"$1"; }

mkdir -p "$OUT"
go build -o "$LOADGEN" ./bench/loadgen
"$GEODATA" db up
bench_url=$(with_db "$("$GEODATA" db url)" "$DB")
psql "$bench_url" -Atqc "SELECT count(*) FROM collections WHERE id = 'bench-schools'" 2>/dev/null | grep -qx 1 ||
	die "no benchmark data in $DB: run make bench first"

DATABASE_URL="$bench_url" "$GEODATA" serve --listen "127.0.0.1:$PORT" --lazy-downloads >"$OUT/soak-server.log" 2>&1 &
pid=$!
sampler=
trap 'kill "$pid" $sampler 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1800); do
	curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || die "the server stopped; see $OUT/soak-server.log"
	sleep 1
done

rss() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"; }
echo -e "seconds\tMB" >"$OUT/soak-rss.tsv"
start=$(date +%s)
(while kill -0 "$pid" 2>/dev/null; do
	echo -e "$(($(date +%s) - start))\t$(rss)" >>"$OUT/soak-rss.tsv"
	sleep "$EVERY"
done) &
sampler=$!

n=$(tr ',' '\n' <<<"$WORKLOADS" | wc -l)
per=$((MINUTES * 60 / n))
echo "soak: $MINUTES min, $n workloads of ${per}s each, RSS every ${EVERY}s"
"$LOADGEN" -url "http://127.0.0.1:$PORT" -server-pid "$pid" -connections 16 -warmup 1s -duration "${per}s" \
	-workloads "$WORKLOADS" -out "$OUT/soak-results.json"
echo -e "$(($(date +%s) - start))\t$(rss)" >>"$OUT/soak-rss.tsv"
echo "== RSS (MB) over $(($(date +%s) - start)) s, every ${EVERY} s: $OUT/soak-rss.tsv"
awk 'NR > 1 { printf "%s%s", sep, $2; sep = " " } END { print "" }' "$OUT/soak-rss.tsv"
awk 'NR == 2 { first = $2; lo = $2; hi = $2 } NR > 1 { last = $2; if ($2 < lo) lo = $2; if ($2 > hi) hi = $2 }
	END { printf "first %d, last %d, lowest %d, highest %d\n", first, last, lo, hi }' "$OUT/soak-rss.tsv"
