"""Damaged and hostile VHDs: a clear error (or a warning and the copy of the footer), never
a crash or a huge allocation; `check` names what is wrong."""
import struct
import subprocess

import pytest

from conftest import VHD_TOOL, run, run_limited

MiB = 1 << 20


def checksum(data, field):
    """The VHD checksum: one's complement of the byte sum, the field itself read as 0."""
    body = bytearray(data)
    body[field:field + 4] = b"\0\0\0\0"
    return (~sum(body)) & 0xFFFFFFFF


def reseal_footer(blob, offset):
    footer = blob[offset:offset + 512]
    blob[offset + 64:offset + 68] = struct.pack(">I", checksum(footer, 64))


def reseal_header(blob):
    header = blob[512:1536]
    blob[512 + 36:512 + 40] = struct.pack(">I", checksum(header, 36))


@pytest.fixture
def dynamic(tmp_path):
    raw = tmp_path / "disk.raw"
    with open(raw, "wb") as out:
        out.truncate(8 * MiB)
        out.seek(0)
        out.write(b"first block" * 100)
        out.seek(5 * MiB)
        out.write(b"third block" * 100)
    vhd = tmp_path / "disk.vhd"
    subprocess.run([VHD_TOOL, "fill", vhd, raw, "dynamic"], check=True)
    return vhd


def damaged(path, edit):
    blob = bytearray(path.read_bytes())
    edit(blob)
    out = path.with_name("damaged.vhd")
    out.write_bytes(blob)
    return out


def expect_error(path, *words):
    result = run("inspect", path, check=False)
    assert result.returncode == 1, result.stdout
    for word in words:
        assert word in result.stderr
    report = run("check", path, check=False)
    assert report.returncode == 1
    return result.stderr


def test_a_damaged_end_footer_falls_back_to_the_copy_with_a_warning(dynamic):
    path = damaged(dynamic, lambda b: b.__setitem__(slice(len(b) - 500, len(b) - 499), b"X"))
    result = run("inspect", path)
    assert "using the copy at offset 0" in result.stderr
    assert run("check", path, check=False).returncode == 1


def test_a_missing_end_footer_falls_back_to_the_copy(dynamic):
    path = damaged(dynamic, lambda b: b.__delitem__(slice(len(b) - 512, len(b))))
    result = run("inspect", path)
    assert "using the copy at offset 0" in result.stderr


def test_a_truncated_fixed_disk_is_an_error(tmp_path):
    raw = tmp_path / "disk.raw"
    raw.write_bytes(b"x" * MiB)
    vhd = tmp_path / "fixed.vhd"
    subprocess.run([VHD_TOOL, "fill", vhd, raw, "fixed"], check=True)
    footer = vhd.read_bytes()[-512:]
    path = tmp_path / "cut.vhd"
    path.write_bytes(vhd.read_bytes()[:MiB // 2] + footer)
    expect_error(path, "truncated")


def test_a_wrong_header_checksum_is_an_error(dynamic):
    expect_error(damaged(dynamic, lambda b: b.__setitem__(slice(600, 601), b"\x01")),
                 "dynamic header (offset 0x200): checksum")


def test_bat_entries_outside_the_file_or_overlapping_are_errors(dynamic):
    def outside(blob):
        blob[1536:1540] = struct.pack(">I", 0x7FFFFFF0)
    expect_error(damaged(dynamic, outside), "BAT entry 0", "outside the file")

    def overlapping(blob):
        first = struct.unpack(">I", blob[1536:1540])[0]
        blob[1536 + 8:1536 + 12] = struct.pack(">I", first + 8)  # block 2 inside block 0
    expect_error(damaged(dynamic, overlapping), "overlap")


@pytest.mark.parametrize("block_size", [0, 3 * MiB, 1 << 31])
def test_absurd_block_sizes_are_errors(dynamic, block_size):
    def edit(blob):
        blob[512 + 32:512 + 36] = struct.pack(">I", block_size)
        reseal_header(blob)
    expect_error(damaged(dynamic, edit), "block size")


def test_absurd_table_sizes_are_refused_before_allocation(dynamic):
    def edit(blob):
        blob[512 + 28:512 + 32] = struct.pack(">I", 0xFFFFFFF0)
        reseal_header(blob)
    expect_error(damaged(dynamic, edit), "BAT entries")


def test_sizes_past_the_bat_are_errors(dynamic):
    def edit(blob):
        for offset in (0, len(blob) - 512):
            blob[offset + 48:offset + 56] = struct.pack(">Q", 1 << 40)
            reseal_footer(blob, offset)
    expect_error(damaged(dynamic, edit), "BAT entries")


def test_parents_that_point_at_each_other_are_a_loop_not_a_hang(tmp_path, dynamic):
    a = tmp_path / "a.vhd"
    b = tmp_path / "b.vhd"
    run("create", a, "--parent", dynamic)
    run("create", b, "--parent", dynamic)
    ids = {}
    for path in (a, b):
        ids[path] = path.read_bytes()[68:84]

    def point(path, other):
        blob = bytearray(path.read_bytes())
        blob[512 + 40:512 + 56] = ids[other]          # parent unique ID
        name = other.name.encode("utf-16-be").ljust(512, b"\0")
        blob[512 + 64:512 + 576] = name                # parent name
        for slot in range(8):                          # no locators: the name decides
            blob[512 + 576 + 24 * slot:512 + 576 + 24 * slot + 24] = b"\0" * 24
        reseal_header(blob)
        path.write_bytes(blob)
    point(a, b)
    point(b, a)
    stderr = expect_error(a, "loops")
    assert "a.vhd" in stderr


def test_garbage_with_a_cookie_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "garbage.vhd"
    path.write_bytes(bytes(range(256)) * 8 + b"conectix" + b"\xff" * 504)
    result = run("inspect", path, check=False)
    assert result.returncode == 1
    assert "footer" in result.stderr


# --- resource budgets and wrapping sizes: each of these once crashed, ran away or wrapped.

def test_a_size_near_2_to_the_64_does_not_wrap_the_block_count(dynamic):
    # (2^64 - 512 + 4095) / 4096 wraps to 0: a one-entry BAT was accepted for a disk of 2^52
    # blocks and reads went past it (an out-of-bounds read under ASan, exit 0 without).
    def edit(blob):
        blob[512 + 28:512 + 32] = struct.pack(">I", 1)      # max table entries
        blob[512 + 32:512 + 36] = struct.pack(">I", 4096)   # block size
        reseal_header(blob)
        for offset in (0, len(blob) - 512):
            blob[offset + 48:offset + 56] = struct.pack(">Q", (1 << 64) - 512)
            reseal_footer(blob, offset)
    path = damaged(dynamic, edit)
    result = run_limited("inspect", path)
    assert result.returncode == 1
    assert "1 BAT entries for 4503599627370496 blocks" in result.stderr


def locator_text(text):
    return text.encode("utf-16-le")


def test_a_chain_that_reaches_itself_through_links_is_a_loop_found_before_its_tables(tmp_path):
    # A 2040 GiB differencing disk (a 16 MiB BAT) that names "sub/child.vhd" as its parent,
    # where every sub/ holds a hard link of the same file: 64 distinct paths, one file. Each
    # level loaded its BAT before the depth limit stopped it (1 GiB); the file's identity
    # ends it at the second.
    base = tmp_path / "base.vhd"
    child = tmp_path / "child.vhd"
    run("create", base, "--size", "2040G", "--block-size", "512K")
    run("create", child, "--parent", base)
    blob = bytearray(child.read_bytes())
    blob[512 + 40:512 + 56] = blob[68:84]                                # its own unique ID
    blob[512 + 64:512 + 576] = "child.vhd".encode("utf-16-be").ljust(512, b"\0")
    for slot in range(8):
        entry = 512 + 576 + 24 * slot
        code, space, _, _, offset = struct.unpack(">IIIIQ", blob[entry:entry + 24])
        if code == 0:
            continue
        text = locator_text("sub\\child.vhd")
        blob[offset:offset + space] = text.ljust(space, b"\0")
        blob[entry + 8:entry + 12] = struct.pack(">I", len(text))
    reseal_header(blob)
    child.write_bytes(blob)
    directory = tmp_path
    for _ in range(70):
        directory = directory / "sub"
        directory.mkdir()
        (directory / "child.vhd").hardlink_to(child)
    result = run_limited("inspect", child)
    assert result.returncode == 1
    assert "loops back" in result.stderr


def test_many_allocated_blocks_keep_the_bitmap_cache_bounded(tmp_path):
    # A 2 GiB dynamic disk of 4 KiB blocks, every one allocated (a sparse 2.3 GiB file):
    # reading it kept every block's sector bitmap (over 300 MiB).
    blocks, block_size, bitmap = 1 << 19, 4096, 512
    table = 1536
    data = table + blocks * 4
    path = tmp_path / "many.vhd"
    with open(path, "wb") as out:
        footer = bytearray(512)
        footer[0:8] = b"conectix"
        footer[8:12] = struct.pack(">I", 2)
        footer[12:16] = struct.pack(">I", 0x00010000)
        footer[16:24] = struct.pack(">Q", 512)
        footer[28:32] = b"test"
        footer[40:56] = struct.pack(">QQ", blocks * block_size, blocks * block_size)
        footer[56:60] = struct.pack(">HBB", 65535, 16, 255)
        footer[60:64] = struct.pack(">I", 3)
        footer[68:84] = bytes(range(1, 17))
        footer[64:68] = struct.pack(">I", checksum(footer, 64))
        header = bytearray(1024)
        header[0:8] = b"cxsparse"
        header[8:16] = struct.pack(">Q", (1 << 64) - 1)
        header[16:24] = struct.pack(">Q", table)
        header[24:28] = struct.pack(">I", 0x00010000)
        header[28:32] = struct.pack(">I", blocks)
        header[32:36] = struct.pack(">I", block_size)
        header[36:40] = struct.pack(">I", checksum(header, 36))
        out.write(footer)
        out.write(header)
        out.write(b"".join(struct.pack(">I", (data + i * (bitmap + block_size)) // 512) for i in range(blocks)))
        end = data + blocks * (bitmap + block_size)
        out.seek(end)
        out.write(footer)
    result = run_limited("convert", path, "-o", tmp_path / "out.vhd")
    assert result.returncode == 0, result.stderr


def test_a_lost_end_footer_is_put_back_by_check_repair(dynamic, tmp_path):
    # A writer stopped while moving the footer left the file ending inside a block: readers
    # fall back to the copy at offset 0, and --repair (or the next write opening) puts the
    # footer back after the last block and cuts off what lies past it.
    intact = dynamic.read_bytes()
    path = damaged(dynamic, lambda b: b.__setitem__(slice(len(b) - 512, len(b)), b"\x55" * 300 + b"\0" * 212))
    assert run("check", path, check=False).returncode == 1
    result = run("check", "--repair", path)
    assert result.stdout.strip().endswith("ok")
    assert path.read_bytes() == intact  # the same bytes as before the damage
    assert qemu_img_compare(path, dynamic)


def test_merge_repairs_a_parent_whose_end_footer_was_lost(tmp_path, dynamic):
    child = tmp_path / "child.vhd"
    raw = tmp_path / "delta.raw"
    with open(raw, "wb") as out:
        out.truncate(8 * MiB)
        out.seek(MiB)
        out.write(b"child data" * 1000)
    subprocess.run([VHD_TOOL, "fill", child, raw, dynamic], check=True)
    expected = subprocess.run([VHD_TOOL, "dump", child], capture_output=True, check=True).stdout
    with open(dynamic, "r+b") as parent:  # the end footer gone: the file ends after its data
        parent.truncate(dynamic.stat().st_size - 512)
    run("merge", child)
    assert run("check", dynamic, check=False).returncode == 0
    merged = subprocess.run([VHD_TOOL, "dump", dynamic], capture_output=True, check=True).stdout
    assert merged == expected


def qemu_img_compare(a, b):
    return subprocess.run(["qemu-img", "compare", "-q", "-f", "vpc", "-F", "vpc", str(a), str(b)]).returncode == 0
