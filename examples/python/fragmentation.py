#!/usr/bin/env python3
"""How the files of an NTFS volume are laid out: how many have 0 (resident), 1, 2-9, 10-99
and 100 or more runs in their unnamed $DATA, and how many are in each growth stage:
resident data, nonresident data, a resident attribute list, a nonresident attribute list.
With --list, one line per file: stage, runs and path.

    examples/python/fragmentation.py disk.img [--volume N] [--list]
"""
import argparse
from collections import Counter

import diskimg

STAGES = ["resident", "nonresident", "attribute list", "nonresident attribute list"]
BUCKETS = [(0, "0 (resident)"), (1, "1"), (2, "2-9"), (10, "10-99"), (100, "100+")]


def stage_and_runs(record):
    data = [a for a in record.attributes if a.type_name == "$DATA" and a.name == ""]
    runs = sum(len(a.runs) for a in data)
    if record.attribute_list is not None:
        return STAGES[2] if record.attribute_list.resident else STAGES[3], runs
    return STAGES[0] if data and data[0].resident else STAGES[1], runs


def bucket(runs):
    return [label for low, label in BUCKETS if runs >= low][-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="disk image, block device or VHD")
    parser.add_argument("--volume", type=int, help="volume index (default: the first NTFS one)")
    parser.add_argument("--list", action="store_true", help="print every file")
    args = parser.parse_args()
    with diskimg.open(args.source) as disk:
        volumes = [v for v in disk.volumes if v.filesystem == "ntfs"]
        volume = disk.volume(args.volume) if args.volume is not None else volumes[0]
        fs = volume.ntfs()
        by_runs, by_stage = Counter(), Counter()
        for _, _, files in fs.walk("/"):
            for entry in files:
                stage, runs = stage_and_runs(fs.record(entry.record))
                by_runs[bucket(runs)] += 1
                by_stage[stage] += 1
                if args.list:
                    print(f"{stage}\t{runs}\t{entry.path}")
    print("runs\tfiles")
    for _, label in BUCKETS:
        print(f"{label}\t{by_runs[label]}")
    print("stage\tfiles")
    for stage in STAGES:
        print(f"{stage}\t{by_stage[stage]}")


if __name__ == "__main__":
    main()
