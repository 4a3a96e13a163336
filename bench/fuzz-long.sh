#!/usr/bin/env bash
# Long Jazzer runs of every fuzz target (not part of CI; see docs/fuzzing.md).
#
#   bench/fuzz-long.sh                       # every target, 10 million executions each, one at a time
#   RUNS=1000000 JOBS=2 bench/fuzz-long.sh   # fewer executions, two targets in parallel
#   bench/fuzz-long.sh sdp rtp               # only some targets
#
# Environment: RUNS (executions per target, default 10000000), MAX_DURATION (wall-clock cap per
# target, default 4h), JOBS (targets in parallel, default 1), NICE (default 5), PARCH_TARGET
# (build dir, default target-fuzz), SKIP_BUILD=1 (reuse classes and classpath already built). Each target runs the @FuzzTest method directly with Jazzer's
# own driver (com.code_intelligence.jazzer.Jazzer) on the test classpath: no Maven or surefire in
# the loop. Generated corpora, crash files and logs go to
# <module>/$PARCH_TARGET/fuzz-long/<target>/; the committed seed corpus is read, never written.
# A crash stops that target with a non-zero exit; copy the crash file into the target's
# src/test/resources/.../<Class>Inputs/<method>/ directory so it becomes a regression input.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-10000000}
MAX_DURATION=${MAX_DURATION:-4h}
JOBS=${JOBS:-1}
NICE=${NICE:-5}
PARCH_TARGET=${PARCH_TARGET:-target-fuzz}
DISABLED_HOOKS=com.code_intelligence.jazzer.sanitizers.RegexRoadblocks:com.code_intelligence.jazzer.sanitizers.RegexInjection

# name module class method
ALL_TARGETS=(
  "stun common-protocol com.parchchat.protocol.fuzz.StunMessageFuzzTest decode"
  "channeldata common-protocol com.parchchat.protocol.fuzz.ChannelDataFuzzTest decode"
  "signal common-protocol com.parchchat.protocol.fuzz.SignalCodecFuzzTest decode"
  "sdp sfu com.parchchat.sfu.fuzz.SdpFuzzTest parse"
  "rtp sfu com.parchchat.sfu.fuzz.RtpFuzzTest parse"
  "rtcp sfu com.parchchat.sfu.fuzz.RtcpFuzzTest split"
)

selected=()
for t in "${ALL_TARGETS[@]}"; do
  name=${t%% *}
  if [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]; then
    selected+=("$t")
  fi
done
[ ${#selected[@]} -gt 0 ] || { echo "no such target: $*" >&2; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "building test classes and classpaths into */$PARCH_TARGET ..."
  for module in common-protocol sfu; do
    ./mvnw -B -q -Dparch.target="$PARCH_TARGET" -pl "$module" -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$ROOT/$module/$PARCH_TARGET/fuzz-classpath.txt"
  done
fi

run_target() {
  local name=$1 module=$2 class=$3 method=$4
  local out="$ROOT/$module/$PARCH_TARGET/fuzz-long/$name"
  local seeds="$ROOT/$module/src/test/resources/${class//.//}Inputs/$method"
  mkdir -p "$out/corpus"
  rm -f "$out/summary"
  local cp="$ROOT/$module/$PARCH_TARGET/test-classes:$ROOT/$module/$PARCH_TARGET/classes:$(cat "$ROOT/$module/$PARCH_TARGET/fuzz-classpath.txt")"
  local start=$SECONDS status=0
  local TIMEFORMAT='%U %S'
  { time (cd "$out" && nice -n "$NICE" java -Xmx1g -cp "$cp" com.code_intelligence.jazzer.Jazzer \
      --target_class="$class" --target_method="$method" \
      --max_executions="$RUNS" --max_duration="$MAX_DURATION" --disabled_hooks="$DISABLED_HOOKS" \
      -artifact_prefix="$out/" -print_final_stats=1 corpus "$seeds" > "$out/fuzz.log" 2>&1) ; } 2> "$out/cpu-time" || status=$?
  local done_line runs secs
  done_line=$(grep -E '^Done [0-9]+ runs' "$out/fuzz.log" | tail -1 || true)
  runs=$(echo "$done_line" | awk '{print $2}')
  secs=$(echo "$done_line" | awk '{print $5}')
  if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
    local cpu
    cpu=$(awk '{printf "%d", $1 + $2}' "$out/cpu-time")
    echo "$name: $runs executions in ${secs}s fuzzing ($(( runs / (secs > 0 ? secs : 1) )) exec/s), wall $((SECONDS - start))s, CPU ${cpu}s ($(( runs / (cpu > 0 ? cpu : 1) )) exec per CPU-s), no crash, corpus $(ls "$out/corpus" | wc -l) files" | tee "$out/summary"
  else
    echo "$name: FAILED (exit $status) after $((SECONDS - start))s; see $out/fuzz.log and $out/crash-*" | tee "$out/summary"
  fi
}

for t in "${selected[@]}"; do
  # shellcheck disable=SC2086
  run_target $t &
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
    wait -n || true
  done
done
wait
! grep -l FAILED "$ROOT"/*/"$PARCH_TARGET"/fuzz-long/*/summary 2>/dev/null
