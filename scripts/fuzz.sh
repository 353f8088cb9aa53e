#!/usr/bin/env bash
# Runs every libFuzzer harness of a fuzz build for a while, from the committed seeds and
# those made at fuzz time, one harness after the other, and reports on each.
#
#   scripts/fuzz.sh [--only NAME,...] BUILD_DIR [SECONDS_EACH]   (30 s each: what CI runs)
#   scripts/fuzz.sh --long [--only NAME,...] BUILD_DIR [SECONDS_EACH]   (3600 s each)
#
# Before fuzzing, each harness runs once over its big regression inputs (too big for
# -max_len; fuzz/make_regression_seeds.py big). Every harness then fuzzes into
# BUILD_DIR/fuzz-corpus/NAME (kept from run to run). A crash, leak, sanitizer report,
# exception other than diskimg::Error, input slower than 10 s or allocation over 256 MiB
# stops that harness; the input is left in BUILD_DIR/fuzz-findings/. The report
# (BUILD_DIR/fuzz-report.md, and .tsv) gives per harness: executions, executions per
# second, coverage (libFuzzer's cov: edges and ft: features at the end), corpus files and
# bytes, peak RSS and findings. Exits non-zero when any harness had a finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: scripts/fuzz.sh [--long] [--only NAME,...] BUILD_DIR [SECONDS_EACH]"
long=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --long) long=1; shift ;;
    --only) only=$2; shift 2 ;;
    -*) echo "$usage" >&2; exit 2 ;;
    *) break ;;
  esac
done
build=$(cd "${1:?$usage}" && pwd)
seconds=${2:-$([ "$long" -eq 1 ] && echo 3600 || echo 30)}
findings=$build/fuzz-findings
generated=$build/fuzz-seeds
mkdir -p "$findings" "$generated"
corpus=$root/fuzz/corpus
py=/usr/bin/python3

# Seed directories per harness, in fuzz/corpus/ unless they start with @ (made below).
declare -A seeds=(
  [mbr_fuzzer]="mbr gpt"
  [gpt_fuzzer]="gpt"
  [ntfs_boot_sector_fuzzer]="ntfs_boot"
  [ntfs_record_fuzzer]="ntfs_record"
  [ntfs_attribute_list_fuzzer]="ntfs_attribute_list"
  [ntfs_index_fuzzer]="ntfs_index"
  [lznt1_fuzzer]="lznt1"
  [ntfs_volume_fuzzer]="ntfs_volume"
  [vhd_fuzzer]="vhd"
  [vhdx_fuzzer]="vhdx"
  [ldm_fuzzer]="@ldm"
  [disk_fuzzer]="disk vhd vhdx mbr gpt ntfs_volume @ldm-disks"
  [vhd_write_fuzzer]="vhd_write vhd disk"
  [vss_fuzzer]="@vss"
)
order=(mbr_fuzzer gpt_fuzzer ntfs_boot_sector_fuzzer ntfs_record_fuzzer ntfs_attribute_list_fuzzer
       ntfs_index_fuzzer lznt1_fuzzer ntfs_volume_fuzzer vhd_fuzzer vhdx_fuzzer ldm_fuzzer disk_fuzzer
       vhd_write_fuzzer vss_fuzzer)
if [ -n "$only" ]; then IFS=, read -r -a order <<< "$only"; fi

# Seeds made at fuzz time: LDM ones from the sample disks beside the checkout (never
# copied into the repository), and the regression inputs too big to commit.
samples=${DISKIMG_LDM_SAMPLES:-$root/../shared/ldm-samples}
mkdir -p "$generated/ldm" "$generated/ldm-disks"
if [ -f "$samples/ldm-data.tar.xz" ]; then
  [ -n "$(ls -A "$generated/ldm")" ] || "$py" "$root/fuzz/make_ldm_seeds.py" "$samples/ldm-data.tar.xz" "$generated/ldm"
  [ -n "$(ls -A "$generated/ldm-disks")" ] || "$py" "$root/fuzz/make_ldm_seeds.py" --disks "$samples/ldm-data.tar.xz" "$generated/ldm-disks"
else
  echo "fuzz: no LDM samples at $samples: ldm_fuzzer starts from nothing, disk_fuzzer without LDM disks"
fi
# The shadow-copy seed: a small volume made from libvshadow's format notes.
mkdir -p "$generated/vss"
[ -n "$(ls -A "$generated/vss")" ] || "$py" "$root/fuzz/vss_volume.py" --seed "$generated/vss/volume"
[ -d "$generated/regression" ] || "$py" "$root/fuzz/make_regression_seeds.py" big "$generated/regression"

report=$build/fuzz-report
printf 'harness\tseconds\texecutions\texec_per_s\tcov\tft\tcorpus_files\tcorpus_bytes\tpeak_rss_mb\tfindings\n' > "$report.tsv"
failed=()
for harness in "${order[@]}"; do
  [ -n "${seeds[$harness]+set}" ] || { echo "fuzz: no harness $harness" >&2; exit 2; }
  seed_dirs=()
  for name in ${seeds[$harness]}; do
    case "$name" in @*) seed_dirs+=("$generated/${name#@}") ;; *) seed_dirs+=("$corpus/$name") ;; esac
  done
  work=$build/fuzz-corpus/$harness
  mkdir -p "$work"
  log=$build/fuzz-$harness.log
  before=$(ls "$findings" | grep -c "^$harness-" || true)
  status=0
  : > "$log"
  regression=$generated/regression/${harness%_fuzzer}
  if [ -d "$regression" ]; then
    echo "fuzz: $harness: $(ls "$regression" | wc -l) big regression inputs"
    # Some take seconds by design (a 16 MiB BAT to refuse, 2^19 blocks to walk): 30 s of
    # wall time leaves room for a busy machine; tests/cli/test_hostile_limits.py and
    # test_vhd_hostile.py hold the same files to 10 s of CPU.
    "$build/fuzz/$harness" -timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=256 \
      -artifact_prefix="$findings/$harness-" "$regression"/* >> "$log" 2>&1 || status=$?
  fi
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $harness for ${seconds}s"
    # -malloc_limit_mb catches allocations sized from hostile input; -timeout catches hangs.
    "$build/fuzz/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=256 -max_len=1100000 -print_final_stats=1 \
      -artifact_prefix="$findings/$harness-" "$work" "${seed_dirs[@]}" >> "$log" 2>&1 || status=$?
  fi
  final_stat() { grep -o "^stat::$1: *[0-9]*" "$log" | grep -o '[0-9]*$' | tail -n 1; }
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(grep -o 'cov: [0-9]*' <<< "$last" | grep -o '[0-9]*' || true)
  ft=$(grep -o 'ft: [0-9]*' <<< "$last" | grep -o '[0-9]*' || true)
  files=$(find "$work" -type f | wc -l)
  bytes=$(find "$work" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  new_findings=$(( $(ls "$findings" | grep -c "^$harness-" || true) - before ))
  [ "$status" -eq 0 ] || [ "$new_findings" -gt 0 ] || new_findings=1  # a failure with no input left
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$harness" "$seconds" "$(final_stat number_of_executed_units)" \
    "$(final_stat average_exec_per_sec)" "${cov:-}" "${ft:-}" "$files" "$bytes" "$(final_stat peak_rss_mb)" \
    "$new_findings" >> "$report.tsv"
  tail -n 1 "$report.tsv" | awk -F'\t' '{ printf "  %s executions, %s/s, cov %s, ft %s, corpus %s files, peak RSS %s MB\n", $3, $4, $5, $6, $7, $9 }'
  if [ "$status" -ne 0 ]; then
    grep -E '^(SUMMARY|==[0-9]+==ERROR|.*runtime error)' "$log" | head -n 5 | sed 's/^/  /' || true
    tail -n 40 "$log"
    echo "fuzz: $harness failed (exit $status); log $log, inputs in $findings"
    failed+=("$harness")
  fi
done

{
  echo "# Fuzzing report"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), ${seconds} s per harness, $(nproc) cores"
  echo
  echo "| harness | executions | exec/s | cov | ft | corpus (files, KiB) | peak RSS (MB) | findings |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  tail -n +2 "$report.tsv" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s, %d | %s | %s |\n", $1, $3, $4, $5, $6, $7, $8 / 1024, $9, $10 }'
  if [ ${#failed[@]} -gt 0 ]; then
    echo
    echo "Findings (inputs in \`$findings\`, logs in \`$build/fuzz-NAME.log\`): ${failed[*]}"
  fi
} > "$report.md"
cat "$report.md"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
echo "fuzz: all harnesses ran clean"
