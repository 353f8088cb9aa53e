"""What a new user hit, tried on a fresh clone: each case failed before its fix (an abort, a
left-over temporary file, a silent loss of a partition's data, a wrong message or exit code).
The exit codes are those of docs/interface.md: 0 ok, 1 failure, 2 what was typed wrong,
128 + N after signal N."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import DISKIMG, run


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_an_output_that_is_a_directory_is_refused_up_front(sample, tmp_path):
    out = tmp_path / "outdir"
    out.mkdir()
    for force in ([], ["--force"]):
        result = run("convert", sample, "-o", out, *force, check=False)
        assert result.returncode == 2, result.stderr  # was 134: an uncaught filesystem_error
        assert f"{out} is a directory" in result.stderr, result.stderr
        assert "terminate called" not in result.stderr
    assert list(out.iterdir()) == [] and leftovers(tmp_path) == []


def test_an_output_in_a_missing_directory_names_the_users_path(sample, tmp_path):
    out = tmp_path / "nodir" / "x.vhd"
    result = run("convert", sample, "-o", out, check=False)
    assert result.returncode == 1
    assert str(out) in result.stderr and "nodir" in result.stderr, result.stderr
    # It named the hidden temporary file, and a removal that never happened.
    assert ".part" not in result.stderr and "partial file removed" not in result.stderr, result.stderr


@pytest.fixture
def long_source(tmp_path):
    """1 GiB of non-zero bytes, no partition table: copied whole with every sector."""
    path = tmp_path / "big.img"
    piece = b"\x01" * (64 << 20)
    with open(path, "wb") as out:
        for _ in range(16):
            out.write(piece)
    return path


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_convert_removes_the_temporary_file(long_source, tmp_path, signum):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "big.vhd"
    process = subprocess.Popen([DISKIMG, "convert", str(long_source), "-o", str(out), "--all-sectors", "--verify"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not leftovers(out_dir) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert leftovers(out_dir), "the conversion ended before it could be interrupted"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr
    assert "cancelled" in stderr, stderr
    assert list(out_dir.iterdir()) == []  # no output, no .part file


def truncated_mbr_disk(tmp_path):
    """A 1 GiB MBR disk (sfdisk: one partition from 1 MiB to the end, 2 MiB of data at its
    start) and its first 3 MiB, as a copy cut short leaves it."""
    whole = tmp_path / "whole.img"
    with open(whole, "wb") as out:
        out.truncate(1 << 30)
    subprocess.run(["sfdisk", "-q", str(whole)], input="start=2048, type=7\n", text=True, check=True)
    with open(whole, "r+b") as out:
        out.seek(1 << 20)
        out.write(b"\x42" * (2 << 20))
    cut = tmp_path / "cut.img"
    cut.write_bytes(whole.read_bytes()[:3 << 20])
    return whole, cut


def test_a_truncated_disk_fails_instead_of_losing_its_partition(tmp_path):
    whole, cut = truncated_mbr_disk(tmp_path)
    out = tmp_path / "cut.vhd"
    result = run("convert", cut, "-o", out, check=False)
    assert result.returncode == 1, result.stderr  # was 0, with the partition left out
    assert "truncated" in result.stderr and "--continue-on-read-error" in result.stderr, result.stderr
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_truncated_disk_converts_what_there_is_when_asked_and_lists_what_is_missing(tmp_path):
    whole, cut = truncated_mbr_disk(tmp_path)
    out = tmp_path / "cut.vhd"
    result = run("convert", cut, "-o", out, "--continue-on-read-error", "--json")
    summary = json.loads(result.stdout)
    assert summary["virtual_size"] == 1 << 30  # the disk its table describes
    assert summary["unreadable"] == [[3 << 20, (1 << 30) - (3 << 20)]]
    assert f"{(1 << 30) - (3 << 20)} bytes at offset {3 << 20:#x}" in result.stderr, result.stderr
    # What was there is in the copy where it was; the rest reads as zeros, as the whole disk does here.
    assert subprocess.run(["qemu-img", "compare", "-f", "vpc", "-F", "raw", str(out), str(whole)]).returncode == 0


@pytest.mark.parametrize("content,words", [(b"hello, this is 26 bytes!!\n", "26 bytes, smaller than one 512-byte sector"),
                                           (b"", "empty (0 bytes)")])
def test_an_input_smaller_than_a_sector_is_said_to_be_no_disk_image_once(tmp_path, content, words):
    source = tmp_path / "odd.img"
    source.write_bytes(content)
    for args in (["inspect", source], ["convert", source, "-o", tmp_path / "odd.vhd"]):
        result = run(*args, check=False)
        assert result.returncode == 1, result  # both were 0 for 26 bytes ("a VHD of 26 B")
        assert result.stderr.count(words) == 1 and "not a disk image" in result.stderr, result.stderr
        assert "a size is required" not in result.stderr
    assert not (tmp_path / "odd.vhd").exists()


def test_an_existing_output_is_the_same_failure_for_convert_and_create(sample, tmp_path):
    taken = tmp_path / "taken.vhd"
    taken.write_bytes(b"keep me")
    for args in (["convert", sample, "-o", taken], ["create", taken, "--size", "1M"]):
        result = run(*args, check=False)
        assert result.returncode == 1, result.stderr  # convert said 2, create 1
        assert "exists" in result.stderr, result.stderr
        # convert replaces with --force; create never overwrites
        assert ("--force" in result.stderr) == (args[0] == "convert"), result.stderr
    assert taken.read_bytes() == b"keep me"


def test_exit_code_2_is_for_what_was_typed_wrong_only(sample, tmp_path):
    blank = tmp_path / "blank.img"
    with open(blank, "wb") as out:
        out.truncate(1 << 20)
    assert run("ls", blank, check=False).returncode == 1  # no NTFS on it: was 2
    assert run("ls", sample, "--volume", "99", check=False).returncode == 2
    assert run("ls", sample, check=False).returncode == 2  # two NTFS volumes: choose one
    assert run("convert", sample, "-o", tmp_path / "x.vhd", "--block-size", "3Q", check=False).returncode == 2
    assert run("inspect", "--no-such-option", sample, check=False).returncode == 2
    assert "Exit status" in run("--help").stdout


def test_cat_takes_no_json_and_names_a_directory(sample):
    assert run("cat", "--json", "--volume", "2", sample, "/", check=False).returncode == 2  # was accepted, ignored
    result = run("cat", "--volume", "2", sample, "/Windows", check=False)
    assert result.returncode == 2 and "/Windows is a directory" in result.stderr, result.stderr


def test_a_missing_parent_is_named_as_a_path_here_and_each_place_looked_in_once(tmp_path):
    parent = tmp_path / "parent.vhd"
    child = tmp_path / "child.vhd"
    run("create", parent, "--size", "10M")
    run("create", child, "--parent", parent)
    text = run("inspect", child).stdout
    assert "parents:" in text and parent.name in text, text
    parent.rename(tmp_path / "away.vhd")
    result = run("inspect", child, check=False)
    assert result.returncode == 1
    assert f"parent {parent} not found" in result.stderr, result.stderr  # was "\\tmp\\...\\parent.vhd"
    looked = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert looked and len({os.path.normpath(os.path.join(tmp_path, p)) for p in looked}) == len(looked), looked


def test_the_conversion_summary_says_what_it_did(sample, tmp_path):
    text = run("convert", sample, "-o", tmp_path / "a.vhd", "--verify").stdout
    for words in ("disk size", "in use", "read", "written", "output file", "verified"):
        assert words in text, text
    assert "every copied range read back" in text, text
    summary = json.loads(run("convert", sample, "-o", tmp_path / "b.vhd", "--json").stdout)
    used = json.loads(run("convert", sample, "-o", tmp_path / "c.vhd", "--json", "--verify").stdout)
    assert summary["verified"] is False and summary["bytes_verified"] == 0
    assert used["verified"] is True and used["bytes_verified"] == used["bytes_in_use"] > 0
    # In use on the source: what the plan copies, less than the disk, at least what was read.
    assert summary["virtual_size"] > summary["bytes_in_use"] >= summary["bytes_read"] > 0


def test_ls_and_usedmap_text_start_with_a_header_line(sample):
    first = run("ls", "--volume", "2", sample).stdout.splitlines()[0]
    assert "record" in first and "size" in first and "name" in first, first
    lines = run("usedmap", "--volume", "2", sample).stdout.splitlines()
    assert lines[1].split() == ["first", "clusters"], lines[:3]
