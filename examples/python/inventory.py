#!/usr/bin/env python3
"""Every file of every NTFS volume of a disk image, with its size and SHA-256: one line per
stream (named streams as "path:name", directories' included), tab-separated.

    examples/python/inventory.py disk.img > inventory.tsv
"""
import argparse
import hashlib
import sys

import diskimg


def sha256(f):
    return hashlib.file_digest(f, "sha256").hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="disk image, block device or VHD")
    args = parser.parse_args()
    print("volume\tpath\tsize\tsha256")
    with diskimg.open(args.source) as disk:
        for volume in disk.volumes:
            if volume.filesystem != "ntfs":
                continue
            fs = volume.ntfs()
            for _, directories, files in fs.walk("/"):
                for entry in directories + files:
                    unnamed = [] if entry.is_dir else [None]  # directories: named streams only
                    for stream in unnamed + [s.name for s in entry.streams]:
                        try:
                            with fs.open(entry.path, stream=stream or "") as f:
                                line = (entry.path + (f":{stream}" if stream else ""), f.size, sha256(f))
                        except diskimg.Error as error:
                            print(f"inventory: {entry.path}: {error}", file=sys.stderr)
                            continue
                        print(volume.index, *line, sep="\t")


if __name__ == "__main__":
    main()
