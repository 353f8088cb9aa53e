#!/usr/bin/env python3
"""Grows the two disks of a real Windows LDM striped volume, for the cold-convert benchmark.

    ldm_scale.py DISK1 DISK2 OUT1 OUT2 SECTORS

DISK1 and DISK2 are the Windows 2003 R2 sample pair (ldm-2003r2-striped-{1,2}.img of
../shared/ldm-samples: Stripe1, 2 columns of 128 sectors, Disk4-01 column 0 on DISK1 and
Disk5-01 column 1 on DISK2; Volume4 spans Disk4-02 + Disk5-02 after them). No tool writes
LDM databases, so the benchmark's multi-GiB striped volume is the real one with its sizes
changed: OUT1 and OUT2 are SECTORS sectors long (sparse), the database moves to their end,
the stripe's partitions grow by the same number of chunks, Volume4's partitions (and their
bytes) move up behind them, and every size the database and the MBR hold changes with them:

- MBR entry 1 (the type-0x42 partition): its sector count (offset 0x1CA, little-endian).
- PRIVHEAD (sector 6 and its two copies in the database): data_size (0x123), config_start
  (0x12B), then the checksum (0x08: the byte sum of the sector with this field as zero).
- VBLK records (one 128-byte slot each here): the stripe partitions' size, Volume4
  partitions' start (fixed 8 bytes), Stripe1's size. Sizes are length-prefixed big-endian
  numbers whose length may grow, so the record is rebuilt and its data length updated.

The structures are those lib/ldm/ldm_structures.hpp declares. Prints the stripe's new
volume size in sectors and each column's byte offset on its disk, for the caller to write
the volume into.
"""
import os
import struct
import sys

SECTOR = 512


def checksum(sector):
    return sum(sector[:8]) + sum(sector[12:])


def read_number(data, at):
    length = data[at]
    return int.from_bytes(data[at + 1:at + 1 + length], "big"), at + 1 + length


def encode_number(value):
    length = max(1, (value.bit_length() + 7) // 8)
    return bytes([length]) + value.to_bytes(length, "big")


def skip_text(data, at):
    return at + 1 + data[at]


def read_text(data, at):
    return data[at + 1:at + 1 + data[at]].decode("latin-1"), at + 1 + data[at]


class Disk:
    def __init__(self, path):
        self.bytes = bytearray(open(path, "rb").read())
        ph = self.bytes[6 * SECTOR:7 * SECTOR]
        assert ph[:8] == b"PRIVHEAD", f"{path}: no PRIVHEAD at sector 6"
        (self.data_start, self.data_size, self.config_start,
         self.config_size, self.primary_toc) = struct.unpack(">QQQQQ", ph[0x11B:0x143])

    def config(self):
        start = self.config_start * SECTOR
        return self.bytes[start:start + self.config_size * SECTOR]


def vblk_area(config, primary_toc):
    """(offset, slot size, slot count) of the VBLK slots in the config bytes."""
    toc = config[primary_toc * SECTOR:(primary_toc + 1) * SECTOR]
    assert toc[:8] == b"TOCBLOCK"
    for r in range(2):
        region = toc[0x24 + r * 0x22:0x24 + (r + 1) * 0x22]
        if region[:8].rstrip(b"\0") == b"config":
            vmdb = struct.unpack(">Q", region[10:18])[0] * SECTOR
            break
    assert config[vmdb:vmdb + 4] == b"VMDB"
    count, size, first = struct.unpack(">III", config[vmdb + 4:vmdb + 16])
    return vmdb + first, size, count - first // size


def patch_records(config, primary_toc, grow, stripe_name, stripe_parts, moved_parts):
    """Rebuilds the records; returns {partition name: (start, size)} after the change."""
    parts = {}
    first, size, count = vblk_area(config, primary_toc)
    for slot in range(count):
        at = first + slot * size
        if config[at:at + 4] != b"VBLK" or struct.unpack(">H", config[at + 14:at + 16])[0] != 1:
            continue  # unused, or a record in several fragments (none of those we change)
        kind = config[at + 0x13] & 0x0F
        length = struct.unpack(">I", config[at + 0x14:at + 0x18])[0]
        data = bytes(config[at + 0x18:at + 0x18 + length])
        if kind == 3:  # partition: id, name, flags 4, commit id 8, start 8, offset 8, size
            p = read_number(data, 0)[1]
            name, p = read_text(data, p)
            p += 4 + 8
            start = int.from_bytes(data[p:p + 8], "big")
            size_at = p + 16
            value, after = read_number(data, size_at)
            if name in stripe_parts:
                value += grow
            if name in moved_parts:
                start += grow
            data = data[:p] + start.to_bytes(8, "big") + data[p + 8:size_at] + encode_number(value) + data[after:]
            parts[name] = (start, value)
        elif kind == 1:  # volume: id, name, type, text, 14, 1, number, 4, count, 16, size
            p = read_number(data, 0)[1]
            name, p = read_text(data, p)
            p = skip_text(data, skip_text(data, p)) + 14 + 1
            p = read_number(data, p)[1] + 4
            p = read_number(data, p)[1] + 16
            value, after = read_number(data, p)
            if name == stripe_name:
                value += grow * len(stripe_parts)
            data = data[:p] + encode_number(value) + data[after:]
        else:
            continue
        assert 0x18 + len(data) <= size, "the rebuilt record no longer fits its slot"
        config[at + 0x14:at + 0x18] = struct.pack(">I", len(data))
        config[at + 0x18:at + size] = data + bytes(size - 0x18 - len(data))
    return parts


def patch_privhead(sector, data_size, config_start):
    sector[0x123:0x12B] = struct.pack(">Q", data_size)
    sector[0x12B:0x133] = struct.pack(">Q", config_start)
    sector[8:12] = struct.pack(">I", checksum(sector))


def main():
    src1, src2, out1, out2, sectors = sys.argv[1:6]
    sectors = int(sectors)
    disks = [Disk(src1), Disk(src2)]
    old_total = len(disks[0].bytes) // SECTOR
    chunk = 128
    grow = (sectors - old_total) // chunk * chunk
    assert grow > 0
    offsets = []
    for index, (disk, out) in enumerate(zip(disks, (out1, out2))):
        config = disk.config()
        before = patch_records(bytearray(config), disk.primary_toc, 0, "Stripe1",
                               ("Disk4-01", "Disk5-01"), ("Disk4-02", "Disk5-02"))
        parts = patch_records(config, disk.primary_toc, grow, "Stripe1",
                              ("Disk4-01", "Disk5-01"), ("Disk4-02", "Disk5-02"))
        config_start = sectors - disk.config_size
        data_size = disk.data_size + grow
        for at in range(0, len(config), SECTOR):
            if config[at:at + 8] == b"PRIVHEAD":
                sector = config[at:at + SECTOR]
                patch_privhead(sector, data_size, config_start)
                config[at:at + SECTOR] = sector
        with open(out, "wb") as f:
            f.truncate(sectors * SECTOR)
            head = bytearray(disk.bytes[:disk.data_start * SECTOR])
            head[0x1CA:0x1CE] = struct.pack("<I", data_size)
            ph = head[6 * SECTOR:7 * SECTOR]
            patch_privhead(ph, data_size, config_start)
            head[6 * SECTOR:7 * SECTOR] = ph
            f.write(head)
            f.seek(config_start * SECTOR)
            f.write(config)
            # Volume4's part of this disk, moved up behind the grown stripe partition.
            moved = "Disk4-02" if index == 0 else "Disk5-02"
            old_start, size = before[moved]
            data = disk.bytes[(disk.data_start + old_start) * SECTOR:(disk.data_start + old_start + size) * SECTOR]
            f.seek((disk.data_start + parts[moved][0]) * SECTOR)
            f.write(data)
        column = "Disk4-01" if index == 0 else "Disk5-01"
        offsets.append((disk.data_start + parts[column][0]) * SECTOR)
        stripe_sectors = parts[column][1] * 2
    print(stripe_sectors, *offsets)


if __name__ == "__main__":
    main()
