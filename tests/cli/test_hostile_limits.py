"""Hostile files against the tool under hard limits (256 MiB of address space, 10 s of CPU):
each is read in bounded time and memory, or refused with an error naming the structure;
never a silent exit 0 with wrong results."""
import struct
import subprocess

from conftest import DISKIMG

LIMITS = ["prlimit", "--as=268435456", "--cpu=10"]


def run_limited(*args):
    """Runs diskimg under the limits; returns the CompletedProcess (text)."""
    return subprocess.run(LIMITS + [DISKIMG, *map(str, args)], capture_output=True, text=True, timeout=120)


# --- NTFS: $MFT's record count -------------------------------------------------------------

def u(blob, at, size):
    return int.from_bytes(blob[at:at + size], "little")


def put(blob, at, size, value):
    blob[at:at + size] = value.to_bytes(size, "little")


def edit_record(image, offset, size, edit):
    """Edits the MFT record at `offset` as plain bytes (update sequence undone, then redone)."""
    record = bytearray(image[offset:offset + size])
    usa, count = u(record, 4, 2), u(record, 6, 2)
    for i in range(1, count):
        record[i * 512 - 2:i * 512] = record[usa + 2 * i:usa + 2 * i + 2]
    edit(record)
    for i in range(1, count):
        record[usa + 2 * i:usa + 2 * i + 2] = record[i * 512 - 2:i * 512]
        record[i * 512 - 2:i * 512] = record[usa:usa + 2]
    image[offset:offset + size] = record


def add_sparse_mft_tail(image, clusters, initialized=None):
    """Appends a sparse run of `clusters` to $MFT's unnamed $DATA (record 0) and raises its
    allocated and data sizes over it; the initialized size becomes `initialized` or all."""
    cluster = u(image, 0x0B, 2) * image[0x0D]
    encoded = struct.unpack_from("<b", image, 0x40)[0]
    record_size = encoded * cluster if encoded > 0 else 1 << -encoded

    def edit(record):
        data = u(record, 0x14, 2)
        while u(record, data, 4) != 0x80:
            data += u(record, data + 4, 4)
        length = u(record, data + 4, 4)
        end = data + u(record, data + 0x20, 2)
        while record[end]:
            end += 1 + (record[end] & 0x0F) + (record[end] >> 4)
        grown = (end + 10 - data + 7) // 8 * 8  # header 0x08: 8 bytes of length, no LCN
        in_use = u(record, 0x18, 4)
        record[data + grown:in_use + grown - length] = record[data + length:in_use]
        record[end:data + grown] = bytes([0x08]) + clusters.to_bytes(8, "little") + bytes(data + grown - end - 9)
        put(record, data + 4, 4, grown)
        put(record, 0x18, 4, in_use + grown - length)
        last_vcn = u(record, data + 0x18, 8) + clusters
        size = (last_vcn + 1) * cluster
        for field, value in ((0x18, last_vcn), (0x28, size), (0x30, size), (0x38, initialized or size)):
            put(record, data + field, 8, value)

    edit_record(image, u(image, 0x30, 8) * cluster, record_size, edit)


def hostile_mft(unpacked, tmp_path, **tail):
    image = bytearray(unpacked("ntfs/ntfs-4k.img.gz").read_bytes())
    add_sparse_mft_tail(image, 1 << 23, **tail)  # 32 GiB of nothing: 33 million records
    path = tmp_path / "sparse-mft.img"
    path.write_bytes(image)
    return path


def test_a_sparse_tail_on_the_mft_lists_the_tree_in_bounds_with_a_warning(unpacked, tmp_path):
    path = hostile_mft(unpacked, tmp_path)
    expected = subprocess.run([DISKIMG, "ls", "-r", unpacked("ntfs/ntfs-4k.img.gz")],
                              capture_output=True, text=True, check=True).stdout
    result = run_limited("ls", "-r", path)
    assert result.returncode == 0, result.stderr
    # Every file as before; $MFT itself shows the data size its record now claims.
    others = lambda listing: [line for line in listing.splitlines() if not line.endswith(" /$MFT")]
    assert others(result.stdout) == others(expected) and len(others(expected)) > 100
    assert "$MFT" in result.stderr and "3196 records" in result.stderr


def test_a_sparse_tail_past_the_initialized_size_verifies_in_bounds(unpacked, tmp_path):
    path = hostile_mft(unpacked, tmp_path, initialized=3195 * 1024)
    result = run_limited("usedmap", "--verify", path)
    assert result.returncode == 0, result.stderr
    assert "every used cluster is owned by one file" in result.stdout
    assert "$MFT" in result.stderr and "3195 records" in result.stderr
