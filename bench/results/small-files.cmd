bench/run.sh small-files  # 2026-12-03T12:12:01Z, BENCH_ROUNDS=1, ferry at 18dc0ad-dirty
