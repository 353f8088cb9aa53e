"""The module's surface: the type stubs name exactly what the module has, help() documents
it, errors form one hierarchy, files behave as io expects, and hostile bytes raise
diskimg errors instead of crashing the interpreter."""
import ast
import io
import os
import pydoc
import random
import re
import subprocess
from pathlib import Path

import pytest

import diskimg

STUBS = Path(diskimg.__file__).parent


def stub_names(path):
    """Top-level names of a stub file, and each class's members."""
    tree = ast.parse(path.read_text())
    names, members = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
            members[node.name] = {n.name if isinstance(n, ast.FunctionDef) else n.target.id
                                  for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    return names, members


def public(obj):
    return {n for n in dir(obj) if not n.startswith("_")}


@pytest.mark.parametrize("module, stub", [(diskimg, "__init__.pyi"), (diskimg.vhd, "vhd.pyi")])
def test_the_stubs_name_exactly_what_the_module_has(module, stub):
    names, members = stub_names(STUBS / stub)
    runtime = {n for n in public(module) if not isinstance(getattr(module, n), type(os))}
    aliases = {"PathLike", "Run"}  # the stubs' own type aliases
    assert names - aliases - {"__version__"} == runtime
    for name, stubbed in members.items():
        cls = getattr(module, name)
        if issubclass(cls, BaseException):
            continue
        declared = {m for m in stubbed if not m.startswith("_")}
        inherited = public(str) if issubclass(cls, str) else set()  # DiskWarning is a str
        assert declared == public(cls) - {"mro"} - inherited, name


def test_help_documents_every_class_and_function():
    text = pydoc.render_doc(diskimg, renderer=pydoc.plaintext)
    for name in ("open", "convert", "Disk", "Ntfs", "File", "Record", "Error"):
        assert name in text
    for name in public(diskimg):
        obj = getattr(diskimg, name)
        if callable(obj):
            assert obj.__doc__, name


def test_errors_form_one_hierarchy_with_the_builtin_kinds():
    assert issubclass(diskimg.FormatError, diskimg.Error)
    assert issubclass(diskimg.IoError, (diskimg.Error, OSError))
    assert issubclass(diskimg.NotFoundError, FileNotFoundError)
    assert issubclass(diskimg.UsageError, ValueError)
    assert issubclass(diskimg.UnsupportedError, NotImplementedError)
    assert issubclass(diskimg.CancelledError, diskimg.Error)
    assert diskimg.FormatError.__module__ == "diskimg"


def test_errors_and_warnings_carry_the_structure_and_offset(unpacked, sample, tmp_path):
    # A GPT whose primary header (LBA 1) was damaged by the fixture script: read from the
    # backup, with a warning about the primary header at byte 512.
    with diskimg.open(unpacked("layout/gpt-damaged.img.gz")) as disk:
        warning = next(w for w in disk.warnings if "primary header" in w)
    assert isinstance(warning, str) and isinstance(warning, diskimg.DiskWarning)
    assert (warning.structure, warning.offset) == ("GPT primary header", 512)
    # An MFT record whose signature is gone: the error names the record and where it lies,
    # which TSK's fsstat tells independently (the MFT's first cluster; 1 KiB records).
    with diskimg.open(sample) as disk:
        volume = disk.volumes[2]
        cluster_size = volume.ntfs().cluster_size
    fsstat = subprocess.run(["fsstat", "-o", str(volume.offset // 512), str(sample)],
                            capture_output=True, text=True, check=True).stdout
    mft_cluster = int(re.search(r"First Cluster of MFT: (\d+)", fsstat).group(1))
    record_offset = mft_cluster * cluster_size + 64 * 1024
    damaged = tmp_path / "damaged.img"
    damaged.write_bytes(sample.read_bytes())
    with open(damaged, "r+b") as image:
        image.seek(volume.offset + record_offset)
        assert image.read(4) == b"FILE"
        image.seek(volume.offset + record_offset)
        image.write(b"JUNK")
    with diskimg.open(damaged) as disk:
        with pytest.raises(diskimg.FormatError) as raised:
            disk.volumes[2].ntfs().record(64)
    assert (raised.value.structure, raised.value.offset) == ("MFT record 64", record_offset)
    assert f"volume offset {record_offset:#x}" in str(raised.value)


def test_an_existing_output_is_refused_in_python_terms(sample, tmp_path):
    out = tmp_path / "out.vhd"
    out.write_bytes(b"keep me")
    with pytest.raises(diskimg.UsageError, match="force=True"):
        diskimg.convert(sample, out)
    assert out.read_bytes() == b"keep me"


def test_a_file_is_an_io_object_that_wrappers_accept(sample):
    with diskimg.open(sample) as disk:
        f = disk.open()
    assert isinstance(f, io.RawIOBase) and f.readable() and f.seekable() and not f.writable()
    with io.BufferedReader(f) as buffered:
        assert buffered.read(2)  # the protective MBR's first bytes
        assert buffered.seek(510) == 510 and buffered.read(2) == b"\x55\xaa"
    assert f.closed
    with pytest.raises(ValueError):
        f.tell()
    with diskimg.open(sample) as disk, disk.open() as g:
        with pytest.raises(io.UnsupportedOperation):
            g.fileno()
        with pytest.raises(ValueError):
            g.seek(-1)
        g.seek(1)
        with pytest.raises(ValueError, match="past 2\\^63"):
            g.seek(2 ** 63 - 1, 1)


def test_reading_at_or_past_the_end_gives_no_bytes_as_every_python_file_does(sample):
    with diskimg.open(sample) as disk, disk.open() as f, open(sample, "rb") as plain:
        for where in (f.size, f.size + 1, f.size + (1 << 40)):
            assert f.seek(where) == plain.seek(where) == where
            assert f.read() == plain.read() == b""
            assert f.read(10) == plain.read(10) == b""
            assert f.readinto(bytearray(10)) == plain.readinto(bytearray(10)) == 0
            assert f.tell() == plain.tell() == where
        f.seek(-3, 2)
        assert len(f.read(10)) == 3 and f.read(10) == b""


def test_hostile_bytes_raise_diskimg_errors_and_never_crash(sample, tmp_path):
    """Sectors of the sample disk overwritten with random bytes at random places: every call
    either works or raises diskimg.Error."""
    original = sample.read_bytes()
    rng = random.Random(3)
    outcomes = {"ok": 0, "error": 0}
    for trial in range(40):
        data = bytearray(original)
        for _ in range(rng.randrange(1, 40)):
            where = rng.choice([0, 512, 1024, rng.randrange(len(data) // 512) * 512,
                                26214400 + rng.randrange(0, 3 << 20)])
            data[where:where + 512] = rng.randbytes(512)
        path = tmp_path / f"hostile{trial}.img"
        path.write_bytes(data)
        try:
            with diskimg.open(path) as disk:
                for volume in disk.volumes:
                    if volume.filesystem != "ntfs":
                        continue
                    try:
                        fs = volume.ntfs()
                        for _, _, files in fs.walk("/"):
                            for entry in files[:20]:
                                with fs.open(entry.path) as f:
                                    f.read()
                        fs.verify_used_map()
                    except diskimg.Error:
                        outcomes["error"] += 1
            outcomes["ok"] += 1
        except diskimg.Error:
            outcomes["error"] += 1
        path.unlink()
    assert outcomes["ok"] and outcomes["error"]
