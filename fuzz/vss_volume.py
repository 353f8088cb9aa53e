#!/usr/bin/env python3
"""A small volume holding Volume Shadow Copy structures (lib/vss/vss_structures.hpp, from
libvshadow's format notes): the VSS header at 0x1E00, a catalog of two stores, each with
its store header, block list, range list and bitmaps, and saved blocks. Written from the
notes alone (no Windows tool makes VSS on Linux); the hostile tests damage it, the VSS
harness starts from it.

    vss_volume.py OUT          the volume, raw (1 MiB)
    vss_volume.py --seed OUT   the same as a sparse fuzz input (fuzz/sparse_image.py)

Layout (16 KiB blocks): 0x4000 catalog; store 1: 0x8000 header, 0xC000 block list, 0x10000
range list, 0x14000 bitmap; store 2: 0x18000 header, 0x1C000 block list, 0x20000 range
list, 0x24000 bitmap, 0x28000 previous bitmap; saved data from 0x40000; the volume's own
blocks from 0x80000, each filled with its block number.
"""
import struct
import sys
import uuid
from pathlib import Path

BLOCK = 0x4000
SIZE = 1 << 20
VSS_ID = uuid.UUID("3808876b-c176-4e48-b7ae-04046e6cc752").bytes_le
STORES = [uuid.UUID("779439b4-ce6a-11ea-8bd1-525400123456"), uuid.UUID("779439c8-ce6a-11ea-8bd1-525400123456")]
PLACES = [dict(header=0x8000, blocks=0xC000, ranges=0x10000, bitmap=0x14000, previous=0),
          dict(header=0x18000, blocks=0x1C000, ranges=0x20000, bitmap=0x24000, previous=0x28000)]
FORWARDER, OVERLAY, NOT_USED = 1, 2, 4


def block_header(record_type, current, next_offset=0, relative=0, information=0):
    return VSS_ID + struct.pack("<IIQQQQ", 1, record_type, relative, current, next_offset, information).ljust(112, b"\0")


def put(volume, offset, data):
    volume[offset:offset + len(data)] = data


def fill(volume, offset, value):
    put(volume, offset, bytes([value]) * BLOCK)


def write_stores(volume, places_list, size, catalog_at=0x4000, free=(0xA0000,)):
    """The VSS header at 0x1E00, the catalog and, for each store in `places_list` (oldest
    first), its header, range list and bitmaps (the blocks in `free` marked not in use);
    the block lists are the caller's. A store's data is where places["store"] says (offset,
    length), or in the 256 KiB from 0x40000."""
    put(volume, 0x1E00, VSS_ID + struct.pack("<IIQQQQQ", 1, 1, 0x1E00, 0x1E00, 0, catalog_at, 0)
        + uuid.uuid4().bytes_le * 2)
    catalog = bytearray(block_header(2, catalog_at))
    for index, (store, places) in enumerate(zip(STORES, places_list)):
        catalog += struct.pack("<QQ", 2, size) + store.bytes_le + struct.pack(
            "<QQQ", index + 1, 0x140 if index else 0x40, 132401535643989247 + index * 600_000_000)
        catalog = catalog.ljust(128 * (len(catalog) // 128 + (len(catalog) % 128 > 0)), b"\0")
        catalog += struct.pack("<QQ", 3, places["blocks"]) + store.bytes_le + struct.pack(
            "<QQQQQQ", places["header"], places["ranges"], places["bitmap"], 0, 0x100000, places["previous"])
        catalog = catalog.ljust(128 * (len(catalog) // 128 + (len(catalog) % 128 > 0)), b"\0")
    put(volume, catalog_at, catalog)
    for index, places in enumerate(places_list):
        information = (uuid.uuid4().bytes_le + uuid.UUID(int=index + 1).bytes_le + uuid.UUID(int=index + 9).bytes_le
                       + struct.pack("<IIII", 0x0D, 1, 0x42000D, 0) + struct.pack("<H", 8) + "host".encode("utf-16-le")
                       + struct.pack("<H", 8) + "host".encode("utf-16-le"))
        put(volume, places["header"], block_header(4, places["header"], information=len(information)) + information)
        store_at, store_length = places.get("store", (0x40000, 0x40000))
        put(volume, places["ranges"], block_header(5, places["ranges"]) + struct.pack("<QQQ", store_at, 0, store_length))
        bitmap = bytearray(size // BLOCK // 8)
        for block in free:
            bitmap[block // BLOCK // 8] |= 1 << (block // BLOCK % 8)   # not in use: zeros in the newest copy
        put(volume, places["bitmap"], block_header(6, places["bitmap"]) + bitmap)
        if places["previous"]:
            put(volume, places["previous"], block_header(6, places["previous"]) + bitmap)


def write_block_list(volume, offset, descriptors):
    """One block-list block at `offset`: (original, relative, store, flags, sectors) each."""
    put(volume, offset, block_header(3, offset) + b"".join(struct.pack("<QQQII", *d) for d in descriptors))


def build(size=SIZE):
    """The volume; `size` above 1 MiB adds zeros after the layout below (for long chains)."""
    volume = bytearray(size)
    put(volume, 3, b"NTFS    ")
    for n in range(0x80000 // BLOCK, SIZE // BLOCK):
        fill(volume, n * BLOCK, n)  # the volume as it is now
    write_stores(volume, PLACES, size)  # 0xA0000 free
    # Store 1 (older): saved 0x80000 and 0x84000; a forwarder for 0x88000 to store 2's 0x8C000;
    # an overlay of sectors 0 and 2 over 0x90000; a descriptor marked not used.
    store1 = [(0x80000, 0, 0x40000, 0, 0), (0x84000, 0, 0x44000, 0, 0), (0x88000, 0x8C000, 0, FORWARDER, 0),
              (0x90000, 1, 0x48000, OVERLAY, 0b101), (0x94000, 0, 0x4C000, NOT_USED, 0)]
    # Store 2 (newer): saved 0x8C000 and 0x80000 (store 1's own copy comes first for copy 1).
    store2 = [(0x8C000, 0, 0x50000, 0, 0), (0x80000, 0, 0x54000, 0, 0), (0x98000, 0x9C000, 0, FORWARDER, 0)]
    for places, descriptors in zip(PLACES, [store1, store2]):
        write_block_list(volume, places["blocks"], descriptors)
    for n, offset in enumerate(range(0x40000, 0x58000, BLOCK)):
        fill(volume, offset, 0xA0 + n)  # saved data, each block its own byte
    return volume


def main():
    seed = sys.argv[1] == "--seed"
    out = Path(sys.argv[-1])
    volume = build()
    if seed:
        sys.path.insert(0, str(Path(__file__).parent))
        import sparse_image
        out.write_bytes(sparse_image.encode([(len(volume), sparse_image.extents_of(volume))]))
    else:
        out.write_bytes(volume)


if __name__ == "__main__":
    main()
