#!/usr/bin/env bash
# Runs `npm test` twice while every core is kept busy by another process (one `node -e 'for(;;){}'`
# per core), then stops those and reports both results. A suite that depends on the machine's speed
# fails here; a sound one gives the same result both times.
set -uo pipefail
cd "$(dirname "$0")/.."

cores="$(nproc 2>/dev/null || echo 2)"
burners=()
stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${burners[@]}"; do wait "$pid" 2>/dev/null; done
  burners=()
}
trap stop_burners EXIT INT TERM
for _ in $(seq "$cores"); do
  node -e 'for (;;) {}' &
  burners+=("$!")
done
echo "load: ${#burners[@]} busy loops on $cores cores (pids ${burners[*]})"

mkdir -p test-results
results=()
status=0
for run in 1 2; do
  rm -f test-results/vitest.json
  CI=true npm test "$@" || status=1
  line="$(node -e '
    const fs = require("node:fs");
    const f = "test-results/vitest.json";
    if (!fs.existsSync(f)) { console.log("no report (the run did not finish)"); process.exit(0); }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    const failed = r.testResults.flatMap((t) => t.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (failed.length ? ` (${failed.join("; ")})` : ""));
  ')"
  results+=("run $run: $line")
done
stop_burners

echo
echo "npm test under load (${cores} busy loops):"
printf '  %s\n' "${results[@]}"
exit $status
