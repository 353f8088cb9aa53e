"""Damaged and hostile VHDs: a clear error (or a warning and the copy of the footer), never
a crash or a huge allocation; `check` names what is wrong."""
import struct
import subprocess

import pytest

from conftest import VHD_TOOL, run

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
