#!/usr/bin/env bash
# Every benchmark of issue 21 in one go, for a quiet machine (nothing else running):
# fan-out (20,000 at the scaled limit, 2,000 at the real one, 2,000 paid), throughput and
# latency against both echo bots (500 people), start-up and idle RSS, and the reports, on the county
# data set at 0.1x, 1x and 5x, three rounds each (medians). About 15 minutes.
#
#     benchmarks/quiet_run.sh [LOG]        # default /tmp/s21-quiet/quiet-<time>.log
#
# The data sets are read from /tmp/s21-county.db (1x), /tmp/s21-county01.db (0.1x) and
# /tmp/s21-county5.db (5x); a missing 0.1x or 5x set is seeded first (benchmarks.seed:
# ~10 s and ~7 min, before the timed part). The benchmarks run on copies in
# /tmp/s21-quiet (opening a database upgrades it in place), never on those files.
# Each benchmark's JSON line and table go to the log, with its start, end and the load
# average, so a step the machine disturbed shows there.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=/tmp/s21-quiet
mkdir -p "$WORK"
LOG=${1:-$WORK/quiet-$(date -u +%Y%m%dT%H%M%S).log}
ONE=/tmp/s21-county.db
TENTH=/tmp/s21-county01.db
FIVE=/tmp/s21-county5.db

say() { echo "$(date -u +%H:%M:%S) $*" | tee -a "$LOG"; }

[ -f "$ONE" ] || { say "missing $ONE (benchmarks.seed $ONE)"; exit 1; }
[ -f "$TENTH" ] || { say "seeding $TENTH"; $PY -m benchmarks.seed "$TENTH" --scale 0.1 >>"$LOG" 2>&1; }
[ -f "$FIVE" ] || { say "seeding $FIVE"; $PY -m benchmarks.seed "$FIVE" --scale 5 >>"$LOG" 2>&1; }

# A consistent copy even if a -wal file holds pages (sqlite's backup, read-only source).
copy() {
    rm -f "$2" "$2-wal" "$2-shm"
    $PY - "$1" "$2" <<'EOF'
import sqlite3, sys
source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
target = sqlite3.connect(sys.argv[2])
source.backup(target)
target.close()
source.close()
EOF
}
say "copying the data sets to $WORK"
copy "$ONE" "$WORK/county1.db"
copy "$TENTH" "$WORK/county01.db"
copy "$FIVE" "$WORK/county5.db"
# Upgraded once here, so that each start-up measures a start on a current schema (not the
# migration and the backup it makes first) and the reports' first round no migration.
for set in county1 county01 county5; do
    $PY -c 'import asyncio, sys
from storage.db import Database
async def up():
    async with Database(sys.argv[1]) as db:
        print(sys.argv[1], "schema", await db.schema_version())
asyncio.run(up())' "$WORK/$set.db" >>"$LOG" 2>&1
done

say "git $(git rev-parse --short HEAD) $(git status --porcelain | wc -l) changed files; $(nproc) cores"
START=$(date +%s)
run() {
    local name=$1
    shift
    say "== $name: $* (load $(cut -d' ' -f1-3 /proc/loadavg))"
    local t0
    t0=$(date +%s)
    "$@" >>"$LOG" 2>&1 || say "!! $name exited with $?"
    say "== $name done in $(($(date +%s) - t0)) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
}

# Most sensitive to a busy machine first, in case the window is cut short.
run fanout $PY -m benchmarks.fanout --messages 20000 --limit 300 --real-messages 2000 \
    --paid-messages 2000 --rounds 3
# 1,000 people: one round took 7 min at load 5 (~2 min of CPU on both cores); 500 keep the
# whole run near 15 minutes. PEOPLE=1000 for the issue's first figure (~+5 min).
run throughput $PY -m benchmarks.throughput --people "${PEOPLE:-500}" --rounds 3
# Issue 20, only where PostgreSQL's binaries are (tests/postgres.py's throwaway server):
# partybot on SQLite, one and two webhook instances on PostgreSQL, side by side.
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then
    run throughput-engines $PY -m benchmarks.throughput --engines sqlite,pg1,pg2 \
        --people "${PG_PEOPLE:-200}" --rounds 3
else
    say "-- throughput-engines skipped: no PostgreSQL binaries (apt-get install postgresql)"
fi
run startup-empty $PY -m benchmarks.startup --rounds 3
run startup-0.1x $PY -m benchmarks.startup --rounds 3 --database "$WORK/county01.db"
run startup-1x $PY -m benchmarks.startup --rounds 5 --database "$WORK/county1.db"
run startup-5x $PY -m benchmarks.startup --rounds 3 --database "$WORK/county5.db"
run reports-1x $PY -m benchmarks.reports "$WORK/county1.db" --rounds 3
run reports-0.1x $PY -m benchmarks.reports "$WORK/county01.db" --rounds 3
run reports-5x $PY -m benchmarks.reports "$WORK/county5.db" --rounds 3
say "all done in $(($(date +%s) - START)) s; figures: grep '^{' $LOG"
