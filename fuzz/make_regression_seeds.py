#!/usr/bin/env python3
"""Regression seeds: the hostile files that once crashed diskimg, ran away with memory or
time, or made a writer corrupt data, built byte by byte (as tests/cli/test_vhd_hostile.py
builds the same cases) and written where the harnesses start from:

    make_regression_seeds.py small            into fuzz/corpus/{vhd,disk,vhd_write,ntfs_volume}/
                                              (committed)
    make_regression_seeds.py big OUT_DIR      into OUT_DIR/{disk,vhd_write}/: too big for the
                                              fuzzers' -max_len, so scripts/fuzz.sh runs each
                                              once, as a test, before fuzzing (made at fuzz
                                              time, a few KiB to 20 MiB each)

Each is a sparse input (fuzz_support.hpp) of one file or several: disk.vhd, then parent.vhd,
...; the harnesses write them side by side, with sub -> . beside them.
"""
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sparse_image  # noqa: E402

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
HERE = Path(__file__).parent
UNALLOCATED = 0xFFFFFFFF


def checksum(data, field):
    """The VHD checksum: one's complement of the byte sum, the field itself read as 0."""
    body = bytearray(data)
    body[field:field + 4] = b"\0\0\0\0"
    return (~sum(body)) & 0xFFFFFFFF


def footer(size, kind, unique_id, merging_child=None):
    """kind: 2 fixed, 3 dynamic, 4 differencing."""
    out = bytearray(512)
    out[0:8] = b"conectix"
    out[8:16] = struct.pack(">II", 2, 0x00010000)
    out[16:24] = struct.pack(">Q", 0xFFFFFFFFFFFFFFFF if kind == 2 else 512)
    out[28:32] = b"win "
    out[36:40] = b"Wi2k"
    out[40:56] = struct.pack(">QQ", size, size)
    out[56:60] = struct.pack(">HBB", 65535, 16, 255)
    out[60:64] = struct.pack(">I", kind)
    out[68:84] = unique_id
    if merging_child is not None:
        out[0x55:0x5D] = b"dimg-mrg"
        out[0x5D:0x6D] = merging_child
    out[64:68] = struct.pack(">I", checksum(out, 64))
    return bytes(out)


def header(entries, block_size, table=1536, parent_id=b"\0" * 16, parent_name="", locators=()):
    """locators: (code, offset, space, text)."""
    out = bytearray(1024)
    out[0:8] = b"cxsparse"
    out[8:16] = struct.pack(">Q", 0xFFFFFFFFFFFFFFFF)
    out[16:24] = struct.pack(">Q", table)
    out[24:36] = struct.pack(">III", 0x00010000, entries, block_size)
    out[40:56] = parent_id
    out[64:576] = parent_name.encode("utf-16-be").ljust(512, b"\0")[:512]
    for slot, (code, offset, space, text) in enumerate(locators):
        out[576 + 24 * slot:600 + 24 * slot] = struct.pack(">4sIIIQ", code, space, len(text), 0, offset)
    out[36:40] = struct.pack(">I", checksum(out, 36))
    return bytes(out)


def uid(n):
    return bytes([n] * 16)


def dynamic(size, block_size, blocks=(), unique_id=uid(1), kind=3, parent=None, table_entries=None,
            data=b"regression"):
    """A dynamic (or differencing: parent = (unique id, name, locator text)) VHD whose
    `blocks` are allocated, each starting with `data`; returns its bytes."""
    entries = table_entries if table_entries is not None else -(-size // block_size)
    table = 1536
    table_bytes = -(-entries * 4 // 512) * 512
    locators = []
    end = table + table_bytes
    parent_id, parent_name = b"\0" * 16, ""
    if parent:
        parent_id, parent_name, relative = parent
        text = relative.encode("utf-16-le")
        locators.append((b"W2ru", end, 512, text))
        end += 512
    bitmap = 512
    bat = [UNALLOCATED] * entries
    placed = {}
    for block in blocks:
        bat[block] = end // 512
        placed[end] = block
        end += bitmap + block_size
    image = bytearray(end + 512)
    foot = footer(size, kind, unique_id)
    image[0:512] = foot
    image[512:1536] = header(entries, block_size, table, parent_id, parent_name, locators)
    image[table:table + 4 * entries] = b"".join(struct.pack(">I", e) for e in bat)
    for code, offset, space, text in locators:
        image[offset:offset + len(text)] = text
    for offset in placed:
        image[offset:offset + bitmap] = b"\xff" * bitmap
        image[offset + bitmap:offset + bitmap + len(data)] = data
    image[end:end + 512] = foot
    return bytes(image)


def sparse(*files):
    return sparse_image.encode([(len(f), sparse_image.extents_of(f)) for f in files])


def reseal_footers(image):
    image = bytearray(image)
    for offset in (0, len(image) - 512):
        image[offset + 64:offset + 68] = b"\0\0\0\0"
        image[offset + 64:offset + 68] = struct.pack(">I", checksum(image[offset:offset + 512], 64))
    return bytes(image)


# --- small: committed

def size_near_2_to_64():
    # (2^64 - 512 + 4095) / 4096 wrapped to 0: a one-entry BAT was accepted for 2^52 blocks
    # of 4 KiB and reads went past it (an out-of-bounds read under ASan).
    image = bytearray(dynamic(8 * MiB, 4096, blocks=(0,), table_entries=1))
    for offset in (0, len(image) - 512):
        image[offset + 40:offset + 56] = struct.pack(">QQ", (1 << 64) - 512, (1 << 64) - 512)
    return reseal_footers(image)


def parent_is_itself_through_a_link():
    # A differencing disk naming itself as parent through sub\ (the harnesses make sub -> .):
    # a new path each level, one file; found by the file's identity before its BAT loads.
    return dynamic(64 * GiB, 2 * MiB, kind=4, unique_id=uid(7), parent=(uid(7), "disk.vhd", "sub\\disk.vhd"))


def parents_point_at_each_other():
    a = dynamic(8 * MiB, 2 * MiB, kind=4, unique_id=uid(1), parent=(uid(2), "parent.vhd", ".\\parent.vhd"), blocks=(1,))
    b = dynamic(8 * MiB, 2 * MiB, kind=4, unique_id=uid(2), parent=(uid(1), "disk.vhd", ".\\disk.vhd"), blocks=(2,))
    return sparse(a, b)


def garbage_with_a_cookie():
    return bytes(range(256)) * 8 + b"conectix" + b"\xff" * 504


def lost_end_footer():
    # A writer stopped while moving the footer: the file ends inside a block; readers fall
    # back to the copy at offset 0, repair and writers put the footer back.
    image = bytearray(dynamic(8 * MiB, 512 * KiB, blocks=(0, 3)))
    image[-512:] = b"\x55" * 300 + b"\0" * 212
    return bytes(image)


def unaligned_file_size():
    # vhd_write_fuzzer: 124 bytes more before the end footer put new blocks between two
    # sectors, where the BAT (sector numbers) cannot point; writes read back wrong.
    image = dynamic(8 * MiB, 512 * KiB, blocks=(0,))
    return image[:-512] + bytes(124) + image[-512:]


def interrupted_merge():
    # A parent marked as being merged into from disk.vhd: it opens only for that merge.
    parent = bytearray(dynamic(8 * MiB, 512 * KiB, blocks=(0, 2), unique_id=uid(3)))
    marked = footer(8 * MiB, 3, uid(3), merging_child=uid(4))
    parent[0:512] = marked
    parent[-512:] = marked
    child = dynamic(8 * MiB, 512 * KiB, kind=4, unique_id=uid(4), blocks=(2, 5),
                    parent=(uid(3), "parent.vhd", ".\\parent.vhd"), data=b"child data")
    return sparse(child, bytes(parent))


def chain_to_merge():
    parent = dynamic(8 * MiB, 512 * KiB, blocks=(0, 2), unique_id=uid(3))
    child = dynamic(8 * MiB, 512 * KiB, kind=4, unique_id=uid(4), blocks=(2, 5),
                    parent=(uid(3), "parent.vhd", ".\\parent.vhd"), data=b"child data")
    return sparse(child, parent)


def parent_lost_its_end_footer():
    parent = bytearray(dynamic(8 * MiB, 512 * KiB, blocks=(0, 2), unique_id=uid(3)))
    del parent[-512:]
    child = dynamic(8 * MiB, 512 * KiB, kind=4, unique_id=uid(4), blocks=(2, 5),
                    parent=(uid(3), "parent.vhd", ".\\parent.vhd"), data=b"child data")
    return sparse(child, bytes(parent))


def records_of_64k():
    """The small-512 NTFS seed with 64 KiB records: the boot sector says so (its byte 0x40,
    -16), and record 0 is rewritten as one of 64 KiB, its attributes moved past an update
    sequence of 129 entries. A record cache chunk of 16 KiB then held no record: a division
    by zero when the volume opened (tests/unit/ntfs_volume_test.cpp builds the same)."""
    (size, extents), = sparse_image.decode((HERE / "corpus" / "ntfs_volume" / "small-512").read_bytes())
    image = bytearray(size)
    for offset, data in extents:
        image[offset:offset + len(data)] = data
    cluster = struct.unpack_from("<H", image, 0x0B)[0] * image[0x0D]
    mft = struct.unpack_from("<Q", image, 0x30)[0] * cluster
    record = bytearray(image[mft:mft + 1024])
    usa, count = struct.unpack_from("<HH", record, 4)
    for i in range(1, count):  # the update sequence undone
        record[i * 512 - 2:i * 512] = record[usa + 2 * i:usa + 2 * i + 2]
    first, in_use = struct.unpack_from("<HI", record, 0x14)
    attributes = bytes(record[first:in_use])
    big = bytearray(65536)
    big[0:0x30] = record[0:0x30]
    strides = 65536 // 512
    start = (0x30 + 2 * (strides + 1) + 7) // 8 * 8
    struct.pack_into("<HH", big, 4, 0x30, strides + 1)
    struct.pack_into("<H", big, 0x14, start)
    struct.pack_into("<II", big, 0x18, start + len(attributes), 65536)
    big[start:start + len(attributes)] = attributes
    struct.pack_into("<H", big, 0x30, 1)
    for i in range(1, strides + 1):
        big[0x30 + 2 * i:0x32 + 2 * i] = big[i * 512 - 2:i * 512]
        struct.pack_into("<H", big, i * 512 - 2, 1)
    image[mft:mft + 65536] = big
    image[0x40] = 0xF0
    return sparse_image.encode([(size, sparse_image.extents_of(bytes(image)))])


SMALL = {
    "regression-size-near-2-to-64.vhd": (size_near_2_to_64, ("vhd", "disk", "vhd_write")),
    "regression-parent-is-itself-through-a-link": (parent_is_itself_through_a_link, ("disk", "vhd_write")),
    "regression-parents-point-at-each-other": (parents_point_at_each_other, ("disk", "vhd_write")),
    "regression-garbage-with-a-cookie": (garbage_with_a_cookie, ("vhd", "disk")),
    "regression-lost-end-footer.vhd": (lost_end_footer, ("vhd", "disk", "vhd_write")),
    "regression-unaligned-file-size.vhd": (unaligned_file_size, ("vhd", "vhd_write")),
    "regression-interrupted-merge": (interrupted_merge, ("disk", "vhd_write")),
    "regression-chain-to-merge": (chain_to_merge, ("vhd_write",)),
    "regression-parent-lost-its-end-footer": (parent_lost_its_end_footer, ("vhd_write",)),
    "regression-64k-records": (records_of_64k, ("ntfs_volume", "disk")),
}


# --- big: made at fuzz time

def parent_is_itself_through_links_2040g():
    # As test_a_chain_that_reaches_itself_through_links...: a 2040 GiB disk of 512 KiB blocks
    # (a 16 MiB BAT) whose every level loaded its BAT before the depth limit (1 GiB).
    return dynamic(2040 * GiB, 512 * KiB, kind=4, unique_id=uid(7), parent=(uid(7), "disk.vhd", "sub\\disk.vhd"))


def many_allocated_blocks():
    # A 2 GiB dynamic disk of 4 KiB blocks, every one allocated (a sparse 2.3 GiB file):
    # reading it kept every block's sector bitmap (over 300 MiB).
    blocks, block_size = 1 << 19, 4096
    table = 1536
    data = table + blocks * 4
    size = blocks * block_size
    foot = footer(size, 3, uid(9))
    bat = b"".join(struct.pack(">I", (data + i * (512 + block_size)) // 512) for i in range(blocks))
    end = data + blocks * (512 + block_size)
    extents = [(0, foot + header(blocks, block_size, table) + bat)]
    extents.append((end, foot))
    return sparse_image.encode([(end + 512, extents)])


BIG = {
    "regression-parent-is-itself-through-links-2040g": (parent_is_itself_through_links_2040g, ("disk", "vhd_write")),
    "regression-many-allocated-blocks": (many_allocated_blocks, ("disk",)),
}


def write(cases, root):
    for name, (make, harnesses) in cases.items():
        blob = make()
        if not blob.startswith(sparse_image.MAGIC):
            blob = sparse(blob)
        for harness in harnesses:
            directory = root / harness
            directory.mkdir(parents=True, exist_ok=True)
            (directory / name).write_bytes(blob)


def main():
    if sys.argv[1:] == ["small"]:
        write(SMALL, HERE / "corpus")
    elif len(sys.argv) == 3 and sys.argv[1] == "big":
        write(BIG, Path(sys.argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
