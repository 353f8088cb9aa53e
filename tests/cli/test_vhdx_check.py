"""`diskimg check` on VHDX: a file qemu left with a log it never applied is reported (with
what replay would write) and left unchanged; `check --repair` replays the log into the file,
which then reads as qemu's own repair of a copy (qemu-img check -r all), recorded by
tests/fixtures/make_vhdx_fixtures.sh, and checks clean by qemu-img and by diskimg."""
import hashlib
import shutil
import subprocess

import pytest

from conftest import run


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def dirty(unpacked, tmp_path):
    """A copy of the dynamic VHDX whose write qemu-io logged but never applied."""
    path = tmp_path / "dirty.vhdx"
    shutil.copyfile(unpacked("vhdx/qemu-dirty.vhdx.gz"), path)
    return path


def test_a_pending_log_is_reported_and_the_file_left_alone(dirty):
    before = sha256(dirty)
    result = run("check", dirty, check=False)
    assert result.returncode == 1
    assert "not closed cleanly" in result.stdout and "replaying them writes" in result.stdout, result.stdout
    assert sha256(dirty) == before


def test_repair_replays_the_log_as_qemu_does(dirty, unpacked, tmp_path):
    result = run("check", "--repair", dirty)
    assert result.stdout.strip().endswith(": ok"), result.stdout
    assert run("check", dirty).stdout.strip().endswith(": ok")
    assert subprocess.run(["qemu-img", "check", "-f", "vhdx", str(dirty)], capture_output=True).returncode == 0
    raw = tmp_path / "raw"
    subprocess.run(["qemu-img", "convert", "-f", "vhdx", "-O", "raw", str(dirty), str(raw)], check=True)
    assert sha256(raw) == sha256(unpacked("vhdx/qemu-dirty.repaired.raw.gz"))
