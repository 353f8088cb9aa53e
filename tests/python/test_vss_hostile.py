"""Shadow copies in a small volume made from libvshadow's format notes (fuzz/vss_volume.py:
two stores with saved blocks, a forwarder, an overlay, a descriptor not used, bitmaps),
read against pyvshadow; then damaged: loops in every chain, offsets outside the volume, a
store header that is not one. A damaged catalog or store is an error for the copies that
need it, never a hang or a crash, and the other copies and the volume still read."""
import importlib.util
import os
import struct
from pathlib import Path

import pytest

import diskimg

pyvshadow = pytest.importorskip("pyvshadow")
ROOT = Path(__file__).parents[2]
spec = importlib.util.spec_from_file_location("vss_volume", ROOT / "fuzz" / "vss_volume.py")
vss_volume = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vss_volume)
BLOCK = 0x4000


def write(tmp_path, volume, name="volume.raw"):
    path = tmp_path / name
    path.write_bytes(bytes(volume))
    return path


def snapshots(path):
    return diskimg.open(path).volumes[0].snapshots


def read_all(snapshot):
    with snapshot.open() as file:
        return file.read(file.seek(0, 2) - file.seek(0))


def test_every_copy_reads_as_pyvshadow_reads_it(tmp_path):
    path = write(tmp_path, vss_volume.build())
    volume = pyvshadow.volume()
    volume.open(str(path))
    ours = snapshots(path)
    assert volume.get_number_of_stores() == len(ours) == 2
    for index, snapshot in enumerate(ours):
        store = volume.get_store(index)
        theirs = store.read_buffer_at_offset(store.get_size(), 0)
        data = read_all(snapshot)
        assert len(data) == len(theirs)
        for block in range(0, len(theirs), BLOCK):  # named by block, for a readable failure
            assert data[block:block + BLOCK] == theirs[block:block + BLOCK], f"copy {index + 1}, block {block:#x}"
    # What the notes say the layout means, so that the comparison is not of two equal mistakes:
    first, second = read_all(ours[0]), read_all(ours[1])
    assert first[0x80000] == 0xA0 and second[0x80000] == 0xA5       # each copy's own saved block
    assert first[0x88000] == second[0x8C000] == 0xA4                 # copy 1 forwards to copy 2's block
    assert first[0x90000] == 0xA2 and first[0x90200] == 0x90000 // BLOCK and first[0x90400] == 0xA2  # overlay sectors 0, 2
    assert first[0x94000] == 0x94000 // BLOCK                        # a descriptor not used: the volume
    assert second[0xA0000:0xA4000] == bytes(BLOCK)                   # free when the newest was taken: zeros
    assert first[0xA0000] == 0xA0000 // BLOCK                        # an older copy reads the volume there


def chain_loop(volume, offset):
    """The block at `offset` names itself as the next of its list."""
    volume[offset + 40:offset + 48] = struct.pack("<Q", offset)


@pytest.mark.parametrize("where, broken", [
    (0xC000, [1]),      # store 1's block list loops: copy 1 only
    (0x1C000, [1, 2]),  # store 2's: copy 2, and copy 1 that reads through it
    (0x24000, [2]),     # store 2's bitmap: read for copy 2 only, the newest (copy 1 reads through its list)
    (0x14000, []),      # store 1's bitmap: never read, store 1 not being the newest
])
def test_a_loop_in_a_store_is_an_error_for_the_copies_that_read_it(tmp_path, where, broken):
    volume = vss_volume.build()
    chain_loop(volume, where)
    path = write(tmp_path, volume)
    listed = snapshots(path)
    assert len(listed) == 2
    for snapshot in listed:
        if snapshot.index in broken:
            with pytest.raises(diskimg.FormatError, match=f"offset {where:#x}.*loop|loop.*{where:#x}"):
                snapshot.open()
        else:
            assert len(read_all(snapshot)) == os.path.getsize(path)
    with diskimg.open(path).volumes[0].open() as file:
        assert file.read(16) == bytes(volume[:16])  # the volume itself still reads


def test_a_loop_in_the_catalog_ends_the_list_there(tmp_path):
    volume = vss_volume.build()
    chain_loop(volume, 0x4000)
    path = write(tmp_path, volume)
    assert [s.index for s in snapshots(path)] == [1, 2]  # read once, then the loop is seen


@pytest.mark.parametrize("field, value", [(8, 0x7FFFFFFFFFFFC000), (8, 0x10000 + 0x1000), (48, 1 << 40)])
def test_an_offset_outside_the_volume_or_off_a_block_is_an_error(tmp_path, field, value):
    volume = vss_volume.build()
    # store 2's location entry (catalog entry 4): its block list (8) or bitmap (48)
    entry = 0x4000 + 128 * 4
    assert struct.unpack_from("<Q", volume, entry)[0] == 3
    volume[entry + field:entry + field + 8] = struct.pack("<Q", value)
    path = write(tmp_path, volume)
    with pytest.raises(diskimg.FormatError, match="not a 16 KiB block inside the volume"):
        snapshots(path)[1].open()


@pytest.mark.parametrize("descriptor, named", [
    ((0x100000, 0, 0x40000, 0), "the original block 0x100000"),          # the volume's end
    ((0x80000 + 0x200, 0, 0x40000, 0), "the original block 0x80200"),    # off a block
    ((0x80000, 0, 0xFE000, 0), "the saved block 0xfe000"),              # 16 KiB from 8 KiB before the end
    ((0x80000, 0x100000, 0, 1), "the forwarded block 0x100000"),          # a forwarder out of the volume
])
def test_a_descriptor_naming_a_block_outside_the_volume_is_an_error(tmp_path, descriptor, named):
    volume = vss_volume.build()
    at = 0xC000 + 128 + 5 * 32  # after store 1's five descriptors
    volume[at:at + 32] = struct.pack("<QQQII", *descriptor, 0)
    path = write(tmp_path, volume)
    with pytest.raises(diskimg.FormatError, match=f"block list of store 1: the descriptor at offset {at:#x} names {named}"):
        snapshots(path)[0].open()
    assert len(read_all(snapshots(path)[1])) == os.path.getsize(path)  # store 2 does not need store 1


def test_each_store_says_where_its_data_is(tmp_path):
    assert [s.store_extents for s in snapshots(write(tmp_path, vss_volume.build()))] == [[(0x40000, 0x40000, 0)]] * 2


def test_a_saved_block_outside_the_stores_data_is_an_error(tmp_path):
    # 0xA4000: a block of the volume, but not of the 256 KiB the range list gives store 1.
    volume = vss_volume.build()
    at = 0xC000 + 128 + 5 * 32
    volume[at:at + 32] = struct.pack("<QQQII", 0x84000, 0, 0xA4000, 0, 0)
    path = write(tmp_path, volume)
    with pytest.raises(diskimg.FormatError, match=f"the descriptor at offset {at:#x} keeps its block at 0xa4000, "
                                                  "outside the store's data"):
        snapshots(path)[0].open()
    assert len(read_all(snapshots(path)[1])) == os.path.getsize(path)


@pytest.mark.parametrize("entries, problem", [
    ([(0xF0000, 0, 0x20000)], "not whole 16 KiB blocks inside the volume"),   # past the end
    ([(0x40000, 0, 0x3000)], "not whole 16 KiB blocks inside the volume"),    # part of a block
    ([(0x40000, 0, 0x40000), (0x60000, 0, 0x4000)], "overlap"),
    ([(0x40000, 0, 0x40000)] * 5, "not whole 16 KiB blocks inside the volume"),  # more than the volume
])
def test_a_damaged_range_list_is_that_copys_problem_only(tmp_path, entries, problem):
    volume = vss_volume.build()
    volume[0x10000 + 128:0x10000 + 128 + 24 * len(entries)] = b"".join(struct.pack("<QQQ", *e) for e in entries)
    path = write(tmp_path, volume)
    first, second = snapshots(path)
    assert "range list of store 1" in first.problem and problem in first.problem and not second.problem
    assert len(read_all(second)) == os.path.getsize(path)


def test_a_range_list_that_loops_is_that_copys_problem_only(tmp_path):
    volume = vss_volume.build()
    struct.pack_into("<Q", volume, 0x20000 + 40, 0x20000)  # store 2's range list names itself next
    first, second = snapshots(write(tmp_path, volume))
    assert "range list of store 2 comes back to the block at offset 0x20000" in second.problem and not first.problem


def test_a_damaged_store_header_is_that_copys_problem_only(tmp_path):
    volume = vss_volume.build()
    volume[0x8000 + 20:0x8000 + 24] = struct.pack("<I", 5)  # store 1's header claims another record type
    path = write(tmp_path, volume)
    first, second = snapshots(path)
    assert "record type 5" in first.problem and not second.problem
    with pytest.raises(diskimg.FormatError, match="shadow copy 1 cannot be read"):
        first.open()
    assert len(read_all(second)) == os.path.getsize(path)
