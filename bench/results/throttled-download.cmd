bench/run.sh throttled-download  # 2026-11-22T02:48:56Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
