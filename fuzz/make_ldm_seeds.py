#!/usr/bin/env python3
"""Seeds for ldm_fuzzer from the LDM sample disks (../shared/ldm-samples, read where they
are, never copied into the repository): each sample's PRIVHEAD, patched so that its
database starts right after it (sector 7 of the fuzzer's disk), followed by the database's
sectors up to the last VBLK in use.

    fuzz/make_ldm_seeds.py SAMPLES_TAR OUT_DIR
"""
import struct
import sys
import tarfile
from pathlib import Path


def checksum(sector):
    return sum(sector[:8]) + sum(sector[12:])


def seed_of(image):
    privhead = bytearray(image[6 * 512:7 * 512])
    if privhead[:8] != b"PRIVHEAD":
        return None  # a GPT disk: its PRIVHEAD is elsewhere
    config_start, config_size = struct.unpack(">QQ", privhead[0x12B:0x13B])
    database = image[config_start * 512:(config_start + config_size) * 512]
    last = max((i for i in range(0, len(database), 128)
                if database[i:i + 4] == b"VBLK" and database[i + 14:i + 16] != b"\0\0"), default=0)
    privhead[0x12B:0x133] = struct.pack(">Q", 7)
    privhead[8:12] = b"\0\0\0\0"
    privhead[8:12] = struct.pack(">I", checksum(privhead))
    return bytes(privhead) + database[:(last // 512 + 1) * 512]


def main():
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sys.argv[1]) as tar:
        for member in tar.getmembers():
            if not member.name.endswith("-1.img"):
                continue
            seed = seed_of(tar.extractfile(member).read())
            if seed:
                (out / Path(member.name).stem).write_bytes(seed)


if __name__ == "__main__":
    main()
