bench/run.sh small-files-whole  # 2026-12-03T12:15:03Z, BENCH_ROUNDS=1, ferry at 18dc0ad-dirty
