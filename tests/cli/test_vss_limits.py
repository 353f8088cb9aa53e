"""A shadow-copy store whose block list fills its whole volume (4 million descriptors in a
128 MiB volume, fuzz/vss_volume.py's layout with store 1's list made long) costs what the
volume's blocks allow, not what the list claims: descriptors naming blocks outside the
volume are refused at the first one, and descriptors of the volume's own blocks, however
many, leave maps no larger than the volume has blocks. Both run within the budget of
conftest.run_limited (256 MiB, 10 s of CPU)."""
import importlib.util
import struct
from pathlib import Path

from conftest import run_limited

ROOT = Path(__file__).parents[2]
spec = importlib.util.spec_from_file_location("vss_volume", ROOT / "fuzz" / "vss_volume.py")
vss_volume = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vss_volume)

BLOCK = vss_volume.BLOCK
SIZE = 128 << 20
FIRST_LIST_BLOCK = 0xC000  # store 1's block list in vss_volume's layout
PER_BLOCK = (BLOCK - 128) // 32


def long_block_list(descriptor):
    """The volume with store 1's block list continued over every block from 1 MiB to the
    end; descriptor(n) gives the n-th added descriptor as (original, relative, store, flags)."""
    volume = vss_volume.build(SIZE)
    struct.pack_into("<Q", volume, FIRST_LIST_BLOCK + 40, 1 << 20)  # its next block
    n = 0
    for offset in range(1 << 20, SIZE, BLOCK):
        following = offset + BLOCK if offset + BLOCK < SIZE else 0
        header = vss_volume.block_header(3, offset, following)
        entries = b"".join(struct.pack("<QQQII", *descriptor(n + i), 0) for i in range(PER_BLOCK))
        volume[offset:offset + BLOCK] = header + entries
        n += PER_BLOCK
    return volume


def convert(tmp_path, volume):
    source = tmp_path / "volume.raw"
    source.write_bytes(volume)
    return run_limited("convert", "--snapshot", "1", source, "-o", tmp_path / "copy.vhd")


def test_descriptors_of_blocks_outside_the_volume_are_refused_at_the_first(tmp_path):
    # Forwarders, each to a block of its own: before the refusal, two hash maps of 4 million
    # entries (over 256 MiB).
    result = convert(tmp_path, long_block_list(lambda n: (SIZE + 2 * n * BLOCK, SIZE + (2 * n + 1) * BLOCK, 0, 1)))
    assert result.returncode == 1
    assert "block list of store 1: the descriptor at offset 0x100080 names the original block 0x8000000" in result.stderr


def test_descriptors_of_the_volumes_own_blocks_cost_at_most_one_entry_per_block(tmp_path):
    # 4 million saved-block descriptors cycling over the volume's 8,192 blocks: the last for
    # each block wins (libvshadow's order), and the copy converts within the budget.
    blocks = SIZE // BLOCK
    volume = long_block_list(lambda n: ((n % blocks) * BLOCK, 0, 0x40000 + (n % 4) * BLOCK, 0))
    result = convert(tmp_path, volume)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "copy.vhd").stat().st_size > SIZE  # every block of the copy holds data
