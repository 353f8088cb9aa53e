#!/usr/bin/env python3
"""Sparse fuzz inputs (the format is described in fuzz/fuzz_support.hpp): up to four files,
each given by its size and the runs of its non-zero bytes, so that a seed for a 64 MiB disk
with a few hundred KiB in use is a few hundred KiB.

    sparse_image.py pack OUT FILE [FILE...]   files in order: disk.vhd, parent.vhd, ...
    sparse_image.py unpack IN DIR              writes DIR/disk.vhd, DIR/parent.vhd, ...
                                               (sparse), as the harnesses do: to look at a
                                               finding with the diskimg tool

Also imported by the seed scripts (encode, extents_of).
"""
import re
import struct
import sys
from pathlib import Path

MAGIC = b"DIMGSPRS"
SECTOR = 512
NAMES = ["disk.vhd", "parent.vhd", "grandparent.vhd", "other.vhd"]


def extents_of(data, keep=None, gap=32):
    """(offset, bytes) runs of the non-zero bytes of `data`, joined across fewer than `gap`
    zeros (an extent costs 12 bytes); `keep(offset)` may drop 512-byte sectors (it is asked
    for the offset of each sector holding non-zero bytes)."""
    data = bytes(data)
    spans = []
    for match in re.finditer(rb"[^\x00]+", data):
        start, end = match.span()
        pieces = [(start, end)]
        if keep is not None:
            first = start // SECTOR * SECTOR
            pieces = [(max(start, sector), min(end, sector + SECTOR))
                      for sector in range(first, end, SECTOR) if keep(sector)]
        for piece_start, piece_end in pieces:
            if spans and piece_start - spans[-1][1] < gap:
                spans[-1][1] = piece_end
            else:
                spans.append([piece_start, piece_end])
    return [(start, data[start:end]) for start, end in spans]


def encode(files):
    """files: [(size, [(offset, bytes), ...]), ...]."""
    if not 1 <= len(files) <= len(NAMES):
        raise ValueError("one to four files")
    out = bytearray(MAGIC)
    for size, extents in files:
        if len(extents) > 0xFFFF:
            raise ValueError(f"{len(extents)} extents: at most 65535")
        out += struct.pack("<QH", size, len(extents))
        for offset, data in extents:
            out += struct.pack("<QI", offset, len(data)) + bytes(data)
    return bytes(out)


def encode_paths(paths):
    files = []
    for path in paths:
        data = Path(path).read_bytes()
        files.append((len(data), extents_of(data)))
    return encode(files)


def decode(blob):
    """The files a sparse input stands for, as the harnesses read it: [(size, extents)]."""
    if not blob.startswith(MAGIC):
        return [(len(blob), [(0, blob)])]
    at = len(MAGIC)

    def number(width):
        nonlocal at
        piece = blob[at:at + width].ljust(width, b"\0")
        at = min(at + width, len(blob))
        return int.from_bytes(piece, "little")

    files = []
    while len(files) < len(NAMES) and (not files or at < len(blob)):
        size = number(8)
        extents = []
        for _ in range(number(2)):
            if at >= len(blob):
                break
            offset = number(8)
            length = number(4)
            data = blob[at:at + length]
            at += len(data)
            if offset < size:
                extents.append((offset, data[:size - offset]))
        files.append((size, extents))
    return files


def unpack(blob, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, (size, extents) in zip(NAMES, decode(blob)):
        with open(directory / name, "wb") as out:
            out.truncate(size)
            for offset, data in extents:
                out.seek(offset)
                out.write(data)
        print(directory / name)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "pack":
        Path(sys.argv[2]).write_bytes(encode_paths(sys.argv[3:]))
    elif len(sys.argv) == 4 and sys.argv[1] == "unpack":
        unpack(Path(sys.argv[2]).read_bytes(), sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
