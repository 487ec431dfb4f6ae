#!/usr/bin/env bash
# Run every benchmark of bench/ and keep their tables (stdout, Markdown) and logs (stderr) in $OUT.
#   bench/run_all.sh               full runs (about 27 minutes on 2 cores)
#   QUICK=1 bench/run_all.sh       small counts, to check that everything runs (about 5 minutes)
# Needs: the venv (.venv, or PYTHON=...), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), Redis on
# 127.0.0.1:6379. bench/batch.py exits 2 until the product has the Celery task it needs (see README.md).
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${OUT:-/tmp/wf-bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

if ! "$PY" -c "import pyinstrument, requests, psutil" 2>/dev/null; then
    "$PY" -m pip install -q -r bench/requirements.txt || exit 1
fi

if [ "${QUICK:-0}" = "1" ]; then
    ENGINE="--goal-reviews 3 --two-step 30 --replay 3"
    PROFILE="--two-step 50 --goal-reviews 3"
    HTTP="--two-step 40 --goal-reviews 4"
    SCALE="--sizes 1000,3000 --requests 20 --completions 10 --two-step 5"
    BATCH="--count 300"
    LOAD="--users 20 --duration 15"
else
    ENGINE=""; PROFILE=""; HTTP=""; SCALE=""; BATCH=""; LOAD=""
fi

status=0
run() {
    local name=$1; shift
    echo "== $name: $PY $*"
    "$PY" "$@" 2> "$OUT/$name.log" | tee "$OUT/$name.md"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ]; then
        echo "!! $name exited with $rc; last lines of $OUT/$name.log:"
        tail -n 12 "$OUT/$name.log"
        status=1
    fi
}

# shellcheck disable=SC2086  # the option strings are meant to split
run engine-sqlite bench/engine.py --db sqlite $ENGINE
run engine-postgresql bench/engine.py --db postgresql $ENGINE
run profile bench/profile_complete.py $PROFILE
run http bench/http.py $HTTP
run scale bench/scale.py $SCALE
run batch bench/batch.py $BATCH
run load bench/load.py $LOAD
echo "results in $OUT"
exit $status
