#!/usr/bin/env python3
"""Every file of every NTFS volume of a disk image, with its size and SHA-256: one line per
stream (named streams as "path:name", directories' included), tab-separated.

Sparse files are not read through their holes: "sha256" is then the hash of the bytes
outside the holes, and "holes" says how many bytes the holes hold (0: the hash is the plain
SHA-256 of the whole stream, as sha256sum would print it).

    examples/python/inventory.py disk.img > inventory.tsv
"""
import argparse
import hashlib
import os
import sys

import diskimg


def sha256_skipping_holes(f):
    """(hex digest of the data outside holes, bytes in holes), from SEEK_DATA/SEEK_HOLE."""
    digest = hashlib.sha256()
    holes = 0
    position = 0
    while position < f.size:
        try:
            data = f.seek(position, os.SEEK_DATA)
        except OSError:  # no data after position: the rest is a hole
            holes += f.size - position
            break
        holes += data - position
        end = f.seek(data, os.SEEK_HOLE)
        f.seek(data)
        remaining = end - data
        while remaining:
            piece = f.read(min(remaining, 1 << 20))
            digest.update(piece)
            remaining -= len(piece)
        position = end
    return digest.hexdigest(), holes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="disk image, block device or VHD")
    args = parser.parse_args()
    print("volume\tpath\tsize\tsha256\tholes")
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
                                line = (entry.path + (f":{stream}" if stream else ""), f.size,
                                        *sha256_skipping_holes(f))
                        except diskimg.Error as error:
                            print(f"inventory: {entry.path}: {error}", file=sys.stderr)
                            continue
                        print(volume.index, *line, sep="\t")


if __name__ == "__main__":
    main()
