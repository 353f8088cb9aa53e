"""Shared by the command-line and Python tests: the fixtures (the pytest fixtures `unpacked`
and `sample`, imported by both conftest.py files), and what The Sleuth Kit (an independent
reader) says about them."""
import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(os.environ.get("DISKIMG_FIXTURES", Path(__file__).parent / "fixtures"))
# The bundled sample disk: GPT with EFI FAT, MSR, NTFS "Windows", recovery NTFS.
SAMPLE = Path(__file__).parents[1] / "examples" / "sample-disk" / "sample-disk.img.gz"


def unpack_sample(directory):
    path = Path(directory) / "sample.img"
    with gzip.open(SAMPLE) as source, open(path, "wb") as out:
        shutil.copyfileobj(source, out)
    return path


def unpacker(directory):
    """A function that unpacks fixtures/<relative>.gz into `directory` once and gives its path."""
    cache = {}

    def unpack(relative):
        if relative not in cache:
            target = Path(directory) / Path(relative).name.removesuffix(".gz")
            with gzip.open(FIXTURES / relative, "rb") as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            cache[relative] = target
        return cache[relative]

    return unpack


@pytest.fixture(scope="session")
def unpacked(tmp_path_factory):
    """A function that unpacks fixtures/<relative>.gz once and gives its path."""
    return unpacker(tmp_path_factory.mktemp("fixtures"))


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """The bundled sample disk, unpacked once (read-only)."""
    return unpack_sample(tmp_path_factory.mktemp("sample"))


# Real Windows dynamic disks (GPL data, read where they are, never copied in).
LDM_SAMPLES = Path(os.environ.get("DISKIMG_LDM_SAMPLES", Path(__file__).parents[2] / "shared" / "ldm-samples"))
LDM_GROUPS = {"2003r2": ["mirrored-1", "mirrored-2", "raid5-1", "raid5-2", "raid5-3", "simple-1", "spanned-1",
                         "spanned-2", "striped-1", "striped-2"],
              "2008r2": ["mirrored-1", "mirrored-2", "raid5-1", "raid5-2", "raid5-3", "spanned-1", "spanned-2",
                         "striped-1", "striped-2"]}
needs_ldm_samples = pytest.mark.skipif(not (LDM_SAMPLES / "ldm-data.tar.xz").exists(),
                                       reason=f"the LDM samples are not at {LDM_SAMPLES} (set DISKIMG_LDM_SAMPLES)")


# A real Windows 10 disk with two shadow copies (CC0 data, read where it is, never copied in).
VSS_SAMPLE = Path(os.environ.get("DISKIMG_VSS_SAMPLE", Path(__file__).parents[2] / "shared" / "vss-sample"))


@pytest.fixture(scope="session")
def windows_disk(tmp_path_factory):
    """The Windows sample disk (a sparse 64 GiB image, NTFS at 1 MiB), unpacked once."""
    archive = VSS_SAMPLE / "ntfs.tgz"
    if not archive.exists():
        pytest.skip(f"the Windows sample disk is not at {archive} (../shared/vss-sample)")
    directory = tmp_path_factory.mktemp("windows")
    subprocess.run(["tar", "-xzSf", str(archive), "-C", str(directory)], check=True)
    return directory / "ntfs.raw"


def data_extents(file, start=0):
    """The (data, hole) offsets of the extents of an open file that hold data, from
    `start` on, as the file system reports them (SEEK_DATA, SEEK_HOLE)."""
    size = os.fstat(file.fileno()).st_size
    offset = start
    while offset < size:
        try:
            data = os.lseek(file.fileno(), offset, os.SEEK_DATA)
        except OSError:  # ENXIO: no data after offset
            return
        hole = os.lseek(file.fileno(), data, os.SEEK_HOLE)
        yield data, hole
        offset = hole


def sparse_slice(source, start, out):
    """Bytes [start, end) of a sparse file into a new sparse file, data extents only."""
    size = source.stat().st_size
    with open(source, "rb") as src, open(out, "wb") as dst:
        dst.truncate(size - start)
        for data, hole in data_extents(src, start):
            for at in range(data, hole, 1 << 20):
                dst.seek(at - start)
                dst.write(os.pread(src.fileno(), min(1 << 20, hole - at), at))
    return out


@pytest.fixture(scope="session")
def ldm_images(tmp_path_factory):
    """A function giving the image paths of a sample disk group ("2003r2", "2008r2")."""
    directory = tmp_path_factory.mktemp("ldm")
    subprocess.run(["tar", "-SJxf", str(LDM_SAMPLES / "ldm-data.tar.xz"), "-C", str(directory)], check=True)
    return lambda group: [directory / f"ldm-{group}-{name}.img" for name in LDM_GROUPS[group]]


def libvhdi_read(paths, piece=None):
    """The disk as libvhdi (pyvhdi, an independent VHD and VHDX reader) reads it: `paths`
    child first, each one's parent given as its API wants it (set_parent); in one read, or
    in reads of `piece` bytes (libvhdi 20210425 misreads more of a differencing VHD whose
    bitmaps hold short runs in large reads than in 512-byte ones: docs/vhd.md)."""
    pyvhdi = pytest.importorskip("pyvhdi")
    handles = []
    try:
        for path in paths:
            handle = pyvhdi.file()
            handle.open(str(path))
            handles.append(handle)
        for handle, parent in zip(handles, handles[1:]):
            handle.set_parent(parent)
        size = handles[0].media_size
        piece = piece or size
        return b"".join(handles[0].read_buffer_at_offset(min(piece, size - at), at) for at in range(0, size, piece))
    finally:
        for handle in handles:
            handle.close()


def tsk(*args):
    return subprocess.run(list(map(str, args)), capture_output=True, check=True).stdout


def fls_entries(image, sector_offset=None):
    """Allocated entries of `fls -r -p` (deleted ones and TSK's virtual folders left out):
    (path, record, attribute type or None); named streams come as "path:name"."""
    offset = [] if sector_offset is None else ["-o", sector_offset]
    entries = []
    for line in tsk("fls", "-r", "-p", *offset, image).decode("utf-8", "surrogateescape").splitlines():
        match = re.match(r"^(\S+) (\*?) ?([0-9]+)(?:-([0-9]+)-([0-9]+))?(?:\(realloc\))?:\t(.*)$", line)
        if not match or match.group(2) == "*":
            continue
        kind, _, record, attr_type, _, path = match.groups()
        if kind.startswith("V") or path.startswith("$OrphanFiles"):
            continue
        entries.append(("/" + path, int(record), int(attr_type) if attr_type else None))
    return entries


def fls_names_and_streams(image):
    """What fls lists, as two sets: (path, record) of every name, and ("path:name", record)
    of every named $DATA stream. fls prints a line per named attribute ("$Secure:$SDS")
    and repeats a directory's named streams under its "." entry (left out here)."""
    names, streams = set(), set()
    for path, record, attr_type in fls_entries(image):
        base, _, stream = path.partition(":")
        if base.endswith("/."):
            continue
        names.add((base, record))
        if stream and attr_type == 128:
            streams.add((path, record))
    return names, streams


def pytest_terminal_summary(terminalreporter):
    """Says so when every test of the run was skipped: ctest then shows the file as skipped
    (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt), not as passed. Imported into each
    suite's conftest, where pytest looks for hooks."""
    stats = terminalreporter.stats
    ran = sum(len(stats.get(key, [])) for key in ("passed", "failed", "error", "xfailed", "xpassed"))
    if ran == 0 and stats.get("skipped"):
        terminalreporter.write_line("diskimg-tests: every test skipped")
