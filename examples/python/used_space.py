#!/usr/bin/env python3
"""Used and free space of every NTFS volume of a disk image, from $Bitmap, and what a
conversion would copy of the whole disk.

    examples/python/used_space.py disk.img
"""
import argparse

import diskimg


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="disk image, block device or VHD")
    args = parser.parse_args()
    with diskimg.open(args.source) as disk:
        print("volume\tlabel\tcluster_size\ttotal_clusters\tused_clusters\tused_bytes\tfree_bytes")
        for volume in disk.volumes:
            if volume.filesystem != "ntfs":
                print(f"{volume.index}\t({volume.filesystem})\t\t\t\t{volume.size}\t0")
                continue
            fs = volume.ntfs()
            used = fs.used_map()
            used_bytes = used.used_clusters * used.cluster_size
            free_bytes = (used.total_clusters - used.used_clusters) * used.cluster_size
            print(f"{volume.index}\t{fs.label}\t{used.cluster_size}\t{used.total_clusters}\t"
                  f"{used.used_clusters}\t{used_bytes}\t{free_bytes}")


if __name__ == "__main__":
    main()
