#!/usr/bin/env python3
"""Cuts an NTFS volume down to a fuzz seed: a sparse input (fuzz/fuzz_support.hpp) holding
its non-zero bytes in the clusters $Bitmap marks used (and the sectors past the last
cluster: the backup boot sector), less what no reader of this project looks at:

  - the contents of $LogFile (mkntfs fills its 256 KiB and more with 0xFF and restart pages);
  - all of $UpCase but its first 128 characters, unless --full-upcase: $UpCase's $DATA keeps
    its runs and gets a data size of 256 bytes (the reader folds the characters past the
    table by ASCII rules, which names made of ASCII letters never tell apart).

So a 1 MiB volume whose files take 40 KiB becomes a seed of about 80 KiB instead of 1 MiB
(the fuzzer runs many times faster, and its mutations land on records and indexes rather
than on 128 KiB of case table).

    ntfs_seed.py IMAGE OUT [--full-upcase] [--offset BYTES]

With --offset the volume lies at that offset of IMAGE (a partition of a disk): the seed is
then the whole disk, cut the same way.
"""
import argparse
import bisect
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sparse_image  # noqa: E402

LOGFILE, BITMAP, UPCASE = 2, 6, 10
KEPT_UPCASE_BYTES = 256


class Volume:
    def __init__(self, image, offset):
        self.image = image
        self.offset = offset
        boot = image[offset:offset + 512]
        if boot[3:11] != b"NTFS    ":
            sys.exit(f"no NTFS boot sector at offset {offset}")
        self.sector = struct.unpack_from("<H", boot, 0x0B)[0]
        self.cluster = self.sector * boot[0x0D]
        self.total_sectors = struct.unpack_from("<Q", boot, 0x28)[0]
        self.mft_lcn = struct.unpack_from("<Q", boot, 0x30)[0]
        per_record = struct.unpack_from("<b", boot, 0x40)[0]
        self.record_size = self.cluster * per_record if per_record > 0 else 1 << -per_record

    def record_offset(self, number):
        # Records 0-15 lie in the $MFT's first run on every volume mkntfs makes.
        return self.offset + self.mft_lcn * self.cluster + number * self.record_size

    def record(self, number):
        """The record's bytes with its fixups applied, and a function that stores them back."""
        at = self.record_offset(number)
        raw = bytearray(self.image[at:at + self.record_size])
        if raw[:4] != b"FILE":
            sys.exit(f"record {number} at {at:#x} is no FILE record")
        usa_offset, usa_count = struct.unpack_from("<HH", raw, 4)
        stride = self.record_size // (usa_count - 1)
        usn = raw[usa_offset:usa_offset + 2]
        for i in range(1, usa_count):
            end = i * stride - 2
            if raw[end:end + 2] != usn:
                sys.exit(f"record {number}: fixup mismatch in sector {i - 1}")
            raw[end:end + 2] = raw[usa_offset + 2 * i:usa_offset + 2 * i + 2]

        def store(record):
            record = bytearray(record)
            for i in range(1, usa_count):
                end = i * stride - 2
                record[usa_offset + 2 * i:usa_offset + 2 * i + 2] = record[end:end + 2]
                record[end:end + 2] = usn
            self.image[at:at + self.record_size] = record
        return raw, store


def unnamed_data(record):
    """Offset of the unnamed $DATA attribute in a record."""
    at = struct.unpack_from("<H", record, 0x14)[0]
    while at + 8 <= len(record):
        kind, length = struct.unpack_from("<II", record, at)
        if kind == 0xFFFFFFFF or length == 0:
            break
        if kind == 0x80 and record[at + 9] == 0:
            return at
        at += length
    sys.exit("no unnamed $DATA attribute")


def runs(record, attribute):
    """(lcn, clusters) of a nonresident attribute's mapping pairs; lcn None when sparse."""
    at = attribute + struct.unpack_from("<H", record, attribute + 0x20)[0]
    lcn = 0
    found = []
    while record[at]:
        header = record[at]
        length_bytes, offset_bytes = header & 0x0F, header >> 4
        at += 1
        length = int.from_bytes(record[at:at + length_bytes], "little")
        at += length_bytes
        if offset_bytes:
            lcn += int.from_bytes(record[at:at + offset_bytes], "little", signed=True)
            found.append((lcn, length))
        else:
            found.append((None, length))
        at += offset_bytes
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image")
    parser.add_argument("out")
    parser.add_argument("--full-upcase", action="store_true")
    parser.add_argument("--offset", type=int, default=0)
    args = parser.parse_args()
    image = bytearray(Path(args.image).read_bytes())
    volume = Volume(image, args.offset)

    dropped = []  # byte ranges of the image left out of the seed
    bitmap_record, _ = volume.record(BITMAP)
    bitmap = bytearray()
    for lcn, clusters in runs(bitmap_record, unnamed_data(bitmap_record)):
        start = volume.offset + lcn * volume.cluster
        bitmap += image[start:start + clusters * volume.cluster]
    total_clusters = volume.total_sectors * volume.sector // volume.cluster
    for cluster in range(total_clusters):
        if not bitmap[cluster // 8] >> (cluster % 8) & 1:
            start = volume.offset + cluster * volume.cluster
            dropped.append((start, start + volume.cluster))
    logfile, _ = volume.record(LOGFILE)
    for lcn, clusters in runs(logfile, unnamed_data(logfile)):
        if lcn is not None:
            start = volume.offset + lcn * volume.cluster
            dropped.append((start, start + clusters * volume.cluster))
    if not args.full_upcase:
        upcase, store = volume.record(UPCASE)
        data = unnamed_data(upcase)
        struct.pack_into("<QQ", upcase, data + 0x30, KEPT_UPCASE_BYTES, KEPT_UPCASE_BYTES)
        store(upcase)
        first = runs(upcase, data)[0][0]
        kept_end = volume.offset + first * volume.cluster + KEPT_UPCASE_BYTES
        for lcn, clusters in runs(upcase, data):
            start = volume.offset + lcn * volume.cluster
            dropped.append((max(start, (kept_end + 511) // 512 * 512), start + clusters * volume.cluster))

    dropped.sort()
    starts = [start for start, _ in dropped]

    def keep(offset):
        i = bisect.bisect_right(starts, offset) - 1
        return i < 0 or not dropped[i][0] <= offset < dropped[i][1]

    seed = sparse_image.encode([(len(image), sparse_image.extents_of(image, keep))])
    Path(args.out).write_bytes(seed)


if __name__ == "__main__":
    main()
