#!/usr/bin/env python3
"""Seeds from the LDM sample disks (../shared/ldm-samples, read where they are, never copied
into the repository), made at fuzz time:

  for ldm_fuzzer: each sample's PRIVHEAD, patched so that its database starts right after it
  (sector 7 of the fuzzer's disk), followed by the database's sectors up to the last VBLK in
  use;
  with --disks, for disk_fuzzer: whole disks as sparse inputs (fuzz_support.hpp), each
  group's first disk alone and each group's members together (up to four files: the group is assembled from
  them), keeping the first and last MiB of each disk (MBR or GPT, PRIVHEAD, the volumes'
  first sectors, the database and its copies) and the first 256 KiB of the GPT disks' LDM
  data partition (LBA 65570).

    fuzz/make_ldm_seeds.py [--disks] SAMPLES_TAR OUT_DIR
"""
import struct
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sparse_image  # noqa: E402

MiB = 1 << 20
GPT_DATA_START = 65570 * 512


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


def kept(image):
    """The sample's bytes to keep, as (offset, bytes) extents."""
    ranges = [(0, MiB), (len(image) - MiB, len(image)), (GPT_DATA_START, GPT_DATA_START + 256 * 1024)]
    extents = []
    for start, end in ranges:
        extents += [(start + offset, data) for offset, data in sparse_image.extents_of(image[start:end])]
    return sorted(extents)


def disk_seeds(tar, out):
    images = {}
    for member in tar.getmembers():
        if member.name.endswith(".img"):
            images[Path(member.name).stem] = tar.extractfile(member).read()
    groups = {}
    for name in sorted(images):
        group, _, number = name.rpartition("-")
        groups.setdefault(group, []).append(name)
        if number == "1":
            (out / name).write_bytes(sparse_image.encode([(len(images[name]), kept(images[name]))]))
    for group, names in groups.items():
        if len(names) > 1:
            files = [(len(images[n]), kept(images[n])) for n in names[:len(sparse_image.NAMES)]]
            (out / f"{group}-group").write_bytes(sparse_image.encode(files))


def main():
    args = [a for a in sys.argv[1:] if a != "--disks"]
    if len(args) != 2:
        sys.exit(__doc__)
    out = Path(args[1])
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(args[0]) as tar:
        if "--disks" in sys.argv:
            disk_seeds(tar, out)
            return
        for member in tar.getmembers():
            if not member.name.endswith("-1.img"):
                continue
            seed = seed_of(tar.extractfile(member).read())
            if seed:
                (out / Path(member.name).stem).write_bytes(seed)


if __name__ == "__main__":
    main()
