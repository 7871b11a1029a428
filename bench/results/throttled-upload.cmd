bench/run.sh throttled-upload  # 2026-11-22T02:53:43Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
