"""diskimg.convert: the sample disk into VHDs that qemu-img and The Sleuth Kit read as the
source; progress, cancelling (a callback, an exception, Ctrl-C) and the GIL."""
import gzip
import os
import signal
import subprocess
import threading

import pytest

import diskimg
from oracles import FIXTURES, fls_entries, tsk


def to_raw(vhd, tmp_path):
    raw = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", str(vhd), str(raw)], check=True)
    return raw


def test_conversion_reads_back_as_the_source_by_qemu_and_tsk(sample, tmp_path):
    vhd = tmp_path / "out.vhd"
    seen = []
    result = diskimg.convert(sample, vhd, progress=lambda done, total: seen.append((done, total)))
    assert result.output == str(vhd) and result.format == "vhd-dynamic"
    assert result.virtual_size == sample.stat().st_size == result.virtual_size
    assert result.file_size == vhd.stat().st_size < sample.stat().st_size
    assert seen and seen[-1][0] == seen[-1][1] == result.bytes_read
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    raw = to_raw(vhd, tmp_path)
    with diskimg.open(sample) as disk:
        windows = next(v for v in disk.volumes if v.filesystem == "ntfs")
    sector = windows.offset // 512
    listed = [(p, r) for p, r, a in fls_entries(sample, sector) if ":" not in p]
    assert listed == [(p, r) for p, r, a in fls_entries(raw, sector) if ":" not in p]
    for path, record in listed[:80]:
        assert tsk("icat", "-o", sector, raw, record) == tsk("icat", "-o", sector, sample, record), path


def test_all_sectors_to_raw_is_identical_for_qemu(sample, tmp_path):
    out = tmp_path / "all.raw"
    with diskimg.open(sample) as disk:
        diskimg.convert(disk, out, format="raw", all_sectors=True, verify=True)
    assert subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "raw", str(out), str(sample)]).returncode == 0


def test_a_callback_returning_false_cancels_and_leaves_nothing(sample, tmp_path):
    with pytest.raises(diskimg.CancelledError, match="cancelled"):
        diskimg.convert(sample, tmp_path / "x.vhd", progress=lambda done, total: done < (4 << 20))
    assert list(tmp_path.iterdir()) == []


def test_a_callback_exception_is_raised_and_leaves_nothing(sample, tmp_path):
    def fail(done, total):
        raise LookupError("from the callback")
    with pytest.raises(LookupError, match="from the callback"):
        diskimg.convert(sample, tmp_path / "x.vhd", progress=fail)
    assert list(tmp_path.iterdir()) == []


def test_a_callback_answer_that_cannot_be_a_bool_is_raised(sample, tmp_path):
    class Undecided:
        def __bool__(self):
            raise ArithmeticError("neither")
    with pytest.raises(ArithmeticError, match="neither"):
        diskimg.convert(sample, tmp_path / "x.vhd", progress=lambda done, total: Undecided())
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_a_conversion_cancels_it_cleanly(sample, tmp_path):
    """SIGINT arrives from another thread while the library is copying; the next progress
    point lets Python run its handler, and KeyboardInterrupt comes out with no file left."""
    started = threading.Event()
    calls = []

    def progress(done, total):
        calls.append(done)
        started.set()
        if len(calls) == 1:
            threading.Event().wait(0.3)  # give the signal time to arrive
    threading.Thread(target=lambda: started.wait() and os.kill(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        diskimg.convert(sample, tmp_path / "x.vhd", progress=progress, all_sectors=True)
    assert list(tmp_path.iterdir()) == []
    assert len(calls) < 16  # stopped at once, not after all the 4 MiB pieces


@pytest.fixture(scope="module")
def big_source(tmp_path_factory):
    """128 MiB of random bytes without a partition table: all of it must be copied."""
    source = tmp_path_factory.mktemp("big") / "big.img"
    with open(source, "wb") as out:
        for _ in range(32):
            out.write(os.urandom(4 << 20))
    return source


def partial_files(directory):
    return [p for p in directory.iterdir() if p.name.endswith(".part")]


def test_the_gil_is_released_while_converting(big_source, tmp_path):
    """The main thread runs Python while another thread converts: it sees the partial file
    and counts on while the copy goes on (no progress callback, so the library never needs
    the GIL on the way)."""
    worker = threading.Thread(target=diskimg.convert, args=(big_source, tmp_path / "out.vhd"))
    worker.start()
    while worker.is_alive() and not partial_files(tmp_path):
        pass
    count = 0
    while worker.is_alive():
        count += 1
    worker.join()
    assert (tmp_path / "out.vhd").exists()
    assert count > 1000


def test_ctrl_c_without_a_progress_callback_cancels_too(big_source, tmp_path):
    def interrupt_once_writing():
        while not partial_files(tmp_path):
            threading.Event().wait(0.001)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=interrupt_once_writing).start()
    with pytest.raises(KeyboardInterrupt):
        diskimg.convert(big_source, tmp_path / "x.vhd")
    assert list(tmp_path.iterdir()) == []


def test_conversion_errors_are_diskimg_errors(sample, tmp_path):
    (tmp_path / "taken.vhd").write_bytes(b"keep")
    with pytest.raises(diskimg.UsageError, match="exists"):
        diskimg.convert(sample, tmp_path / "taken.vhd")
    assert (tmp_path / "taken.vhd").read_bytes() == b"keep"
    with pytest.raises(diskimg.UsageError):
        diskimg.convert(sample, tmp_path / "x.vhd", format="qcow2")
    with pytest.raises(diskimg.UsageError):
        diskimg.convert(sample, tmp_path / "x.vhd", volume=42)
    with pytest.raises(OSError):
        diskimg.convert(tmp_path / "missing.img", tmp_path / "x.vhd")


def test_one_volume_becomes_a_disk_sfdisk_accepts(sample, tmp_path):
    out = tmp_path / "volume.vhd"
    diskimg.convert(sample, out, volume=2)
    raw = to_raw(out, tmp_path)
    table = subprocess.run(["sfdisk", "--dump", str(raw)], capture_output=True, text=True, check=True).stdout
    assert "start=        2048" in table and "type=7" in table
    with diskimg.open(raw) as disk:
        assert disk.volumes[0].ntfs().label == "Windows"


def test_options_are_one_class_that_keywords_set(sample, tmp_path):
    options = diskimg.ConvertOptions(format="raw", all_sectors=True)
    assert (options.format, options.all_sectors, options.verify) == ("raw", True, False)
    out = tmp_path / "all.raw"
    diskimg.convert(sample, out, options, verify=True)  # a keyword adds to the options given
    assert subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "raw", str(out), str(sample)]).returncode == 0
    assert options.verify is False  # the caller's options are not changed
    with pytest.raises(TypeError, match="unknown option 'all_sector'"):
        diskimg.convert(sample, tmp_path / "x.vhd", all_sector=True)
    with pytest.raises(diskimg.UsageError, match="vhd-dynamic, vhd-fixed, raw, vhdx-dynamic, vhdx-fixed, vhd-differencing or vhdx-differencing"):
        diskimg.ConvertOptions(format="qcow2")
    assert list(tmp_path.iterdir()) == [out]


def test_an_incremental_child_from_python(tmp_path):
    """convert(..., parent=...) against the incremental fixtures' first two generations
    (tests/fixtures/make_incremental_fixtures.sh): the chain reads as generation 1 in every
    file TSK lists, and a parent of another size is a ParentMismatchError."""
    images = []
    for number in (0, 1):
        images.append(tmp_path / f"gen{number}.img")
        with gzip.open(FIXTURES / "incremental" / f"gen{number}.img.gz") as packed:
            images[-1].write_bytes(packed.read())
    parent = tmp_path / "gen0.vhdx"
    diskimg.convert(images[0], parent)
    child = tmp_path / "gen1.vhdx"
    result = diskimg.convert(images[1], child, parent=parent, changes="exact")
    assert result.format == "vhdx-differencing" and result.parent == str(parent)
    assert 0 < result.bytes_changed == result.bytes_written < result.bytes_compared == result.bytes_read
    with diskimg.open(child) as disk:
        fs = disk.volumes[1].ntfs()
        for path, record, attribute in fls_entries(images[1], 10240):
            if attribute == 128 and ":" not in path and not path.startswith("/$"):
                assert fs.open(path).read() == tsk("icat", "-o", 10240, images[1], record), path
    with open(images[1], "ab") as grown:
        grown.write(bytes(1 << 20))
    with pytest.raises(diskimg.ParentMismatchError) as raised:
        diskimg.convert(images[1], tmp_path / "other.vhdx", parent=parent, allow_other_disk=True)
    assert raised.value.identity_only is False and isinstance(raised.value, ValueError)
    assert not (tmp_path / "other.vhdx").exists()


def test_an_incremental_conversion_cancelled_at_every_piece_leaves_nothing(tmp_path):
    """Cancelled between any two pieces (the points a signal stops it), an incremental
    conversion leaves no file beside its output and its parent as it was."""
    images = []
    for number in (0, 1):
        images.append(tmp_path / f"gen{number}.img")
        with gzip.open(FIXTURES / "incremental" / f"gen{number}.img.gz") as packed:
            images[-1].write_bytes(packed.read())
    parent = tmp_path / "gen0.vhd"
    diskimg.convert(images[0], parent)
    before = parent.read_bytes()
    calls = []
    diskimg.convert(images[1], tmp_path / "whole.vhd", parent=parent, progress=lambda done, total: calls.append(1))
    listing = sorted(tmp_path.iterdir())
    assert len(calls) > 5
    for stop in range(len(calls)):
        seen = []
        with pytest.raises(diskimg.CancelledError):
            diskimg.convert(images[1], tmp_path / "child.vhd", parent=parent,
                            progress=lambda done, total: seen.append(1) or len(seen) <= stop)
        assert sorted(tmp_path.iterdir()) == listing
        assert parent.read_bytes() == before
