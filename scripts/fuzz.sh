#!/usr/bin/env bash
# Runs every libFuzzer harness of a fuzz build for a while, from the committed seeds.
#   scripts/fuzz.sh BUILD_DIR [SECONDS_EACH]
# Exits non-zero on the first crash, leak, sanitizer report, timeout or memory blow-up; the
# input that caused it is left in BUILD_DIR/fuzz-findings/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: scripts/fuzz.sh BUILD_DIR [SECONDS_EACH]}
seconds=${2:-30}
findings=$build/fuzz-findings
mkdir -p "$findings"

declare -A seeds=(
  [mbr_fuzzer]=mbr
  [gpt_fuzzer]=gpt
  [ntfs_boot_sector_fuzzer]=ntfs_boot
  [ntfs_record_fuzzer]=ntfs_record
  [ntfs_attribute_list_fuzzer]=ntfs_attribute_list
  [ntfs_index_fuzzer]=ntfs_index
  [lznt1_fuzzer]=lznt1
  [ntfs_volume_fuzzer]=ntfs_volume
  [vhd_fuzzer]=vhd
  [ldm_fuzzer]=ldm
)

# LDM seeds come from the sample disks beside the checkout, when they are there.
samples=${DISKIMG_LDM_SAMPLES:-$root/../shared/ldm-samples}
if [ -f "$samples/ldm-data.tar.xz" ]; then
  /usr/bin/python3 "$root/fuzz/make_ldm_seeds.py" "$samples/ldm-data.tar.xz" "$build/fuzz-seeds/ldm"
else
  echo "fuzz: no LDM samples at $samples: ldm_fuzzer starts from nothing"
  mkdir -p "$build/fuzz-seeds/ldm"
fi

for harness in "${!seeds[@]}"; do
  corpus=$build/fuzz-corpus/$harness
  seed_dir=$root/fuzz/corpus/${seeds[$harness]}
  [ "$harness" = ldm_fuzzer ] && seed_dir=$build/fuzz-seeds/ldm
  mkdir -p "$corpus" "$seed_dir"
  echo "fuzz: $harness for ${seconds}s"
  log=$build/fuzz-$harness.log
  # -malloc_limit_mb catches allocations sized from hostile input; -timeout catches hangs.
  status=0
  "$build/fuzz/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=256 -max_len=1100000 -print_final_stats=1 \
    -artifact_prefix="$findings/$harness-" "$corpus" "$seed_dir" \
    > "$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)' "$log" | sed 's/^/  /' || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "fuzz: $harness failed (exit $status); inputs in $findings"
    exit 1
  fi
done
echo "fuzz: all harnesses ran clean"
