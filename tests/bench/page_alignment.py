#!/usr/bin/python3
"""Benchmark (not a test): what the kernel's copy out of the page cache costs into a buffer
at each offset from a page boundary. malloc puts the blocks it maps on its own (128 KiB and
more, at first) 16 bytes past a page; lib/core/io_bytes.hpp makes diskimg's large buffers
page-aligned because of what this measures. What counts is the buffer's place in its page
against the file offset's: the last line reads into a page-aligned buffer from 16 bytes
before a page, the same difference as a buffer 16 bytes past a page read from offset 0.

    tests/bench/page_alignment.py FILE [MiB]   (FILE in the page cache: it is read once first)
"""
import mmap
import os
import sys
import time

path = sys.argv[1]
total = int(sys.argv[2]) << 20 if len(sys.argv) > 2 else 100 << 20
fd = os.open(path, os.O_RDONLY)
total = min(total, os.fstat(fd).st_size - 4096)
area = mmap.mmap(-1, (4 << 20) + 8192)  # anonymous: page-aligned
view = memoryview(area)


def read_all(piece, skew, first=0):
    """Seconds to read `total` bytes from `first` in pieces of `piece` into a buffer `skew`
    bytes past a page."""
    buffer = view[skew:skew + piece]
    start = time.perf_counter()
    for offset in range(first, first + total, piece):
        os.preadv(fd, [buffer[:min(piece, first + total - offset)]], offset)
    return time.perf_counter() - start


read_all(4 << 20, 0)  # into the page cache, and the buffer's pages touched
print(f"{total >> 20} MiB of {path}, best of 5 runs (ms)")
print(f"{'piece':>8} " + " ".join(f"{'+' + str(s):>8}" for s in (0, 16, 64, 2048)))
for piece in (96 << 10, 128 << 10, 1 << 20, 4 << 20):
    cells = [min(read_all(piece, skew) for _ in range(5)) * 1000 for skew in (0, 16, 64, 2048)]
    print(f"{piece >> 10:>6}K " + " ".join(f"{c:8.1f}" for c in cells))
skewed = min(read_all(1 << 20, 0, 4096 - 16) for _ in range(5)) * 1000
print(f"1024K page-aligned buffer, file from offset 4080: {skewed:.1f}")
