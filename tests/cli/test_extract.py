"""`diskimg extract`: whole trees out of the NTFS fixtures (every cluster size, 4 KiB
sectors, the growth stages, compressed, sparse, hard links, named streams, unicode and
255-character names) against what a read-only ntfs-3g mount showed of them
(NAME.mount.tsv: paths, records, sizes, MD5s, named streams), times against istat, and a
volume with hostile names against the directory around the target."""
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, run, run_bytes
from oracles import fls_entries, sparse_slice, tsk, windows_disk  # noqa: F401  (a fixture)

sys.path.insert(0, str(FIXTURES))
import ntfs_edit  # noqa: E402  (the fixtures' own NTFS editor, written from the format)
from test_times import istat_blocks  # noqa: E402

NTFS = FIXTURES / "ntfs"
VOLUMES = ["ntfs-512", "ntfs-4k", "ntfs-4kn", "ntfs-64k", "ntfs-mftlist", "ntfs-big"]


def mount_view(name, directory=NTFS):
    """{path: (record, kind, size, md5)} as the ntfs-3g mount showed the volume."""
    view = {}
    for line in (directory / f"{name}.mount.tsv").read_text(encoding="utf-8").splitlines():
        path, record, kind, size, md5 = line.split("\t")
        view[path] = (int(record), kind, int(size), md5)
    return view


def md5(data):
    return hashlib.md5(data).hexdigest()


def extracted_tree(out):
    """{"/path": "d" or "f"} of everything under out (no symbolic links may be there),
    walked by descriptors: paths may be longer than a path may be."""
    tree = {}
    for directory, names, files, fd in os.fwalk(out):
        relative = os.path.relpath(directory, out)
        for name in names + files:
            mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            assert not stat.S_ISLNK(mode), (directory, name)
            tree["/" + (name if relative == "." else f"{relative}/{name}")] = "d" if stat.S_ISDIR(mode) else "f"
    return tree


def deep_open(out, path):
    """The descriptor of out/path, reached one directory at a time."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    parts = path.strip("/").split("/")
    for part in parts[:-1]:
        following = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        os.close(fd)
        fd = following
    try:
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)


def deep_read(out, path):
    with os.fdopen(deep_open(out, path), "rb") as handle:
        return handle.read()


def takes_user_xattrs(directory):
    probe = directory / "xattr-probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.probe", b"1")
        return True
    except OSError:
        return False
    finally:
        probe.unlink()


@pytest.mark.parametrize("name", VOLUMES)
@pytest.mark.parametrize("streams", ["xattr", "sidecar"])
def test_the_extracted_tree_is_what_an_ntfs3g_mount_shows(name, streams, unpacked, tmp_path):
    if streams == "xattr" and not takes_user_xattrs(tmp_path):
        pytest.skip(f"{tmp_path} takes no user extended attributes")
    image = unpacked(f"ntfs/{name}.img.gz")
    out = tmp_path / "out"
    result = run("extract", image, "/", "-o", out, "--streams", streams, "--json", check=False)
    summary = json.loads(result.stdout)
    view = mount_view(name)
    directories = {p for p, v in view.items() if v[1] == "d" and p != "/"}
    files = {p for p, v in view.items() if v[1] == "f"}
    streams_of = {p: v for p, v in view.items() if v[1] == "s"}
    expected = {p: "d" for p in directories} | {p: "f" for p in files}
    if streams == "sidecar":
        expected |= {p: "f" for p in streams_of}
    assert extracted_tree(out) == expected
    for path in files | (set(streams_of) if streams == "sidecar" else set()):
        record, _, size, digest = view[path]
        data = (out / path[1:]).read_bytes()
        assert (len(data), md5(data)) == (size, digest), path
    # hard links: one inode per record
    inodes = {}
    for path in files:
        inodes.setdefault(view[path][0], set()).add(os.stat(out / path[1:]).st_ino)
    assert all(len(found) == 1 for found in inodes.values())
    assert len({next(iter(found)) for found in inodes.values()}) == len(inodes)
    assert summary["hard_links"] == len(files) - len(inodes)
    # A target holds extended attributes up to a size of its own (ext4: a block, 4 KiB, and
    # Linux 64 KiB at most): a stream it refuses is listed as not restored, and small ones
    # are there.
    refused = set()
    if streams == "xattr":
        for path, (_, _, size, digest) in streams_of.items():
            host, stream = path.rsplit(":", 1)
            try:
                value = os.getxattr(out / host[1:], f"user.ntfs.stream.{stream}")
            except OSError:
                assert size > 1024, path
                refused.add(path)
                continue
            assert md5(value) == digest, path
    assert {s["path"] for s in summary["skipped"]} == refused
    assert result.returncode == (1 if refused else 0)
    assert summary["renamed"] == []


def test_sparse_files_stay_sparse(unpacked, tmp_path):
    image = unpacked("ntfs/ntfs-4k.img.gz")
    run("extract", image, "/sparse", "-o", tmp_path)
    checked = 0
    for path in (tmp_path / "sparse").iterdir():
        data = path.read_bytes()
        pages = sum(1 for at in range(0, len(data), 4096) if any(data[at:at + 4096]))
        blocks = os.stat(path).st_blocks * 512
        assert blocks <= (pages + 16) * 4096, path
        if len(data) > (pages + 16) * 4096:
            checked += 1
    assert checked >= 1  # at least one file whose holes would show


def filetime_ns(iso):
    """Nanoseconds since 1970 of istat's ISO time (100 ns precision)."""
    from datetime import datetime, timezone
    seconds, _, fraction = iso.rstrip("Z").partition(".")
    moment = datetime.strptime(seconds, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(moment.timestamp()) * 10**9 + int((fraction or "0").ljust(9, "0")[:9])


def test_times_and_attributes_are_the_standard_informations(unpacked, tmp_path):
    """mtime and atime from $STANDARD_INFORMATION as istat prints it; crtime and the
    attribute flags in xattrs."""
    if not takes_user_xattrs(tmp_path):
        pytest.skip(f"{tmp_path} takes no user extended attributes")
    image = unpacked("times/ntfs-times.img.gz")
    run("extract", image, "/", "-o", tmp_path / "out")
    listing = json.loads(run("ls", image, "/", "-r", "--json").stdout)
    bits = {"readonly": 0x1, "hidden": 0x2, "system": 0x4, "archive": 0x20}
    checked = 0
    for entry in listing:
        if entry["record"] < 24 or entry["path"].startswith("/$Extend/"):
            continue  # the metafiles: not part of a restored tree
        si = next(b for b in istat_blocks(image, entry["record"]) if b["kind"] == "$STANDARD_INFORMATION")
        target = tmp_path / "out" / entry["path"][1:]
        status = os.stat(target)
        assert status.st_mtime_ns == filetime_ns(si["times"]["modified"]), entry["path"]
        assert status.st_atime_ns == filetime_ns(si["times"]["accessed"]), entry["path"]
        crtime = int.from_bytes(os.getxattr(target, "user.ntfs.crtime"), "little")
        assert filetime_ns(si["times"]["created"]) == (crtime - 116444736000000000) * 100
        attributes = int.from_bytes(os.getxattr(target, "user.ntfs.attrib"), "little")
        assert {name for name, bit in bits.items() if attributes & bit} == set(si.get("flags", [])) & set(bits)
        checked += 1
    assert checked >= 4


def renamed_key(raw, old, new):
    """`raw` with every $FILE_NAME (or index key, live or left over in an INDX block's slack)
    that holds `old` named `new` instead (at most as many UTF-16 units), its length byte set;
    None when `raw` holds no such name."""
    encoded = old.encode("utf-16-le")
    raw = bytearray(raw)
    found = False
    at = raw.find(encoded)
    while at > 0:
        if raw[at - 2] == len(old):
            raw[at - 2] = len(new)
            raw[at:at + 2 * len(new)] = new.encode("utf-16-le")
            found = True
        at = raw.find(encoded, at + 1)
    return raw if found else None


def rename_file(image, record, directory, old, new):
    """Renames a file behind the file system's back: its $FILE_NAME in MFT record `record`
    and its key in the index of `directory` (the index root or an INDX block), fixups sealed
    again. What a crafted volume holds: names no NTFS driver would write."""
    volume = ntfs_edit.Volume(image)
    raw = renamed_key(volume.read_record(record), old, new)
    assert raw is not None, (record, old)
    volume.write_record(record, raw)
    # The key may be in the index root, in an INDX block, and left over in either's slack.
    renamed_somewhere = False
    in_root = renamed_key(volume.read_record(directory), old, new)
    if in_root is not None:
        volume.write_record(directory, in_root)
        renamed_somewhere = True
    for offset, block in volume.index_blocks(directory):
        renamed = renamed_key(block, old, new)
        if renamed is not None:
            volume.write_index_block(offset, renamed)
            renamed_somewhere = True
    assert renamed_somewhere, f"{old} is not in the index of record {directory}"
    volume.f.close()


def tree_state(top, leave_out):
    """Every entry below `top` but `leave_out`: its path, kind, size, times and inode."""
    state = {}
    for directory, names, files in os.walk(top):
        names[:] = [n for n in names if Path(directory, n) != leave_out]
        for name in names + files + ["."]:
            status = os.lstat(Path(directory, name))
            state[str(Path(directory, name))] = (stat.S_IFMT(status.st_mode), status.st_size,
                                                 status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    return state


def rename_stream(image, record, old, new):
    """Renames a named $DATA stream of MFT record `record` in place (`new` as many UTF-16
    units as `old`)."""
    assert len(new) == len(old)
    volume = ntfs_edit.Volume(image)
    raw = volume.read_record(record)
    at = raw.find(old.encode("utf-16-le"))
    assert at > 0, (record, old)
    raw[at:at + 2 * len(new)] = new.encode("utf-16-le")
    volume.write_record(record, raw)
    volume.f.close()


@pytest.mark.parametrize("streams", ["xattr", "sidecar"])
def test_hostile_names_stay_inside_the_target(unpacked, tmp_path, streams):
    """Names of '..', of a '/' path and of control characters, and a named stream called
    '../..': everything lands inside the target, renamed where it must be, and nothing
    around the target changes (every entry of the directory around it, and that directory
    itself, keeps its kind, size, times and inode)."""
    image = tmp_path / "hostile.img"
    shutil.copyfile(unpacked("ntfs/ntfs-4k.img.gz"), image)
    view = mount_view("ntfs-4k")
    renames = {"/unicode/case.txt": "../x.txt", "/unicode/CASE.TXT": "..", "/unicode/Case.txt": "\x1b[1m\x07"}
    for path, new in renames.items():
        rename_file(image, view[path][0], view["/unicode"][0], path.rsplit("/", 1)[1], new)
    rename_stream(image, view["/streams/host.txt"][0], "small", "../..")
    around = tmp_path / "around"
    around.mkdir()
    (around / "keep.txt").write_text("untouched")
    (around / "sub").mkdir()
    (around / "sub" / "x.txt").write_text("untouched too")
    (around / "out").mkdir()
    before = tree_state(tmp_path, around / "out")
    done = run("extract", image, "/unicode", "/streams", "-o", around / "out", "--json", "--streams", streams,
               check=False)
    assert tree_state(tmp_path, around / "out") == before
    result = json.loads(done.stdout)
    # As xattrs, the 256 KiB stream "big" cannot be kept (Linux: 64 KiB a value): that alone.
    assert [p["path"] for p in result["skipped"]] == ([] if streams == "sidecar" else ["/streams/host.txt:big"])
    written = {r["path"]: r["written_as"] for r in result["renamed"]}
    expected = {"/unicode/../x.txt": "unicode/..%2Fx.txt", "/unicode/..": "unicode/%2E%2E"}
    if streams == "sidecar":
        expected["/streams/host.txt:../.."] = "streams/host.txt:..%2F.."
    assert written == expected
    landed = {"/unicode/case.txt": "unicode/..%2Fx.txt", "/unicode/CASE.TXT": "unicode/%2E%2E",
              "/unicode/Case.txt": "unicode/\x1b[1m\x07"}
    for path, relative in landed.items():
        assert (around / "out" / relative).read_bytes() == tsk("icat", image, view[path][0]), path
    host = around / "out" / "streams" / "host.txt"
    small = view["/streams/host.txt:small"][3]
    if streams == "sidecar":
        assert md5((host.parent / "host.txt:..%2F..").read_bytes()) == small
    else:
        assert md5(os.getxattr(host, "user.ntfs.stream.../..")) == small


def test_an_index_entry_whose_record_was_freed_or_reused_restores_nothing(unpacked, tmp_path):
    """The walk goes by the directory indexes: an entry left pointing at a record freed or
    reused since must not put that record's bytes under its name. It is reported (exit 1)
    and its siblings are restored."""
    image = tmp_path / "stale.img"
    shutil.copyfile(unpacked("ntfs/ntfs-4k.img.gz"), image)
    view = mount_view("ntfs-4k")
    volume = ntfs_edit.Volume(image)
    freed = bytearray(volume.read_record(view["/unicode/case.txt"][0]))
    freed[0x16] &= ~0x01  # the record's in-use flag
    volume.write_record(view["/unicode/case.txt"][0], freed)
    reused = bytearray(volume.read_record(view["/unicode/CASE.TXT"][0]))
    reused[0x10] += 1  # the record's sequence number: it now holds "another" file
    volume.write_record(view["/unicode/CASE.TXT"][0], reused)
    volume.f.close()
    done = run("extract", image, "/unicode", "-o", tmp_path / "out", "--json", check=False)
    assert done.returncode == 1
    skipped = {p["path"]: p["reason"] for p in json.loads(done.stdout)["skipped"]}
    assert set(skipped) == {"/unicode/case.txt", "/unicode/CASE.TXT"}
    assert "not in use" in skipped["/unicode/case.txt"]
    assert "sequence" in skipped["/unicode/CASE.TXT"]
    written = sorted(p.name for p in (tmp_path / "out" / "unicode").iterdir())
    assert written == sorted(name for name in (p.rsplit("/", 1)[1] for p in view if p.startswith("/unicode/"))
                             if name not in ("case.txt", "CASE.TXT"))
    assert (tmp_path / "out" / "unicode" / "Case.txt").read_bytes() == tsk("icat", image, view["/unicode/Case.txt"][0])


def set_runs(volume, record, runs, size):
    """Gives the unnamed $DATA of MFT record `record` these runs [(vcn, lcn, length)] and
    data size, the record's other attributes kept."""
    raw = volume.read_record(record)
    attributes = []
    for attribute in volume.attributes(raw):
        if attribute["type"] == 0x80 and attribute["name"] == b"":
            attributes.append(ntfs_edit.nonresident_attr(0x80, attribute["instance"], runs, size, volume.cluster_size))
        else:
            attributes.append(attribute["raw"])
    volume.write_record(record, ntfs_edit.rebuild(raw, attributes, volume.record_size))


def test_cross_linked_clusters_are_restored_once(unpacked, tmp_path):
    """NTFS gives each cluster to one file. A crafted volume whose files name the same
    clusters (another file's, or their own twice) would otherwise restore them again and
    again, writing far more than the volume holds: the first file to name them gets them,
    the others are reported (exit 1) and hold nothing."""
    image = tmp_path / "crosslinked.img"
    shutil.copyfile(unpacked("ntfs/ntfs-4k.img.gz"), image)
    view = mount_view("ntfs-4k")
    big, medium, deep = (view[f"/docs/a/b/{name}"][0] for name in ("big.txt", "medium.txt", "c/deep.txt"))
    volume = ntfs_edit.Volume(image)
    big_runs = volume.find_attr(volume.read_record(big), 0x80)["runs"]
    _, first, _ = big_runs[0]
    set_runs(volume, medium, [(0, first, 17)], 65537)  # big.txt's first 17 clusters
    deep_lcn = volume.find_attr(volume.read_record(deep), 0x80)["runs"][0][1]
    set_runs(volume, deep, [(0, deep_lcn, 1), (1, deep_lcn, 1)], 5000)  # its own cluster twice
    volume.f.close()
    done = run("extract", image, "/docs", "-o", tmp_path / "out", "--json", check=False)
    assert done.returncode == 1, done.stderr
    skipped = {p["path"]: p["reason"] for p in json.loads(done.stdout)["skipped"]}
    assert set(skipped) == {"/docs/a/b/medium.txt", "/docs/a/b/c/deep.txt"}
    assert f"cluster {first} is restored already" in skipped["/docs/a/b/medium.txt"]
    assert f"cluster {deep_lcn} is restored already" in skipped["/docs/a/b/c/deep.txt"]
    out = tmp_path / "out" / "docs" / "a" / "b"
    assert md5((out / "big.txt").read_bytes()) == view["/docs/a/b/big.txt"][3]
    assert (out / "medium.txt").stat().st_size == 0 and (out / "c" / "deep.txt").stat().st_size == 0
    # Asked for twice, the same tree is restored twice: claims are per path asked for.
    again = run("extract", image, "/docs/a/b/big.txt", "/docs/a/b/big.txt", "-o", tmp_path / "twice", check=False)
    assert again.returncode == 0, again.stderr
    assert md5((tmp_path / "twice" / "big~2.txt").read_bytes()) == view["/docs/a/b/big.txt"][3]


@pytest.fixture
def case_insensitive_target(tmp_path):
    """A new NTFS volume mounted with lowntfs-3g's ignore_case: FOO, Foo and foo name one
    file there (what a Windows disk or a USB stick is to Windows)."""
    if os.geteuid() != 0:
        pytest.skip("a FUSE mount needs root")
    image = tmp_path / "target.img"
    with open(image, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run(["mkntfs", "-q", "-F", "-f", image], check=True, capture_output=True)
    mounted = tmp_path / "target"
    mounted.mkdir()
    mount = subprocess.run(["lowntfs-3g", "-o", "ignore_case", image, mounted], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount with lowntfs-3g here: {mount.stderr.strip()}")
    try:
        (mounted / "Probe").write_text("")
        assert (mounted / "PROBE").exists(), "the mount is not case-insensitive"
        (mounted / "Probe").unlink()
        yield mounted
    finally:
        subprocess.run(["umount", mounted], check=True)


def test_names_differing_in_case_on_a_case_insensitive_target(unpacked, case_insensitive_target):
    """/unicode holds case.txt, Case.txt and CASE.TXT: on a case-insensitive target the first
    in index order keeps its name, the others get "~2" and "~3", each is reported, none is
    overwritten."""
    image = unpacked("ntfs/ntfs-4k.img.gz")
    view = mount_view("ntfs-4k")
    out = case_insensitive_target / "out"
    done = run("extract", image, "/unicode", "-o", out, "--json", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    renamed = {r["path"]: r for r in result["renamed"]}
    cases = [p for p in view if p.rsplit("/", 1)[1].lower() == "case.txt"]
    assert len(cases) == 3
    # fls lists a directory in index order: the first of the three keeps its name.
    in_index_order = [p for p, _, _ in fls_entries(image) if p in cases]
    assert sorted(renamed) == sorted(in_index_order[1:])
    assert sorted(r["written_as"].lower() for r in renamed.values()) == ["unicode/case~2.txt", "unicode/case~3.txt"]
    assert all("differing in case" in r["reason"] for r in renamed.values())
    for path in cases:
        written = renamed[path]["written_as"] if path in renamed else path.lstrip("/")
        assert (out / written).read_bytes() == tsk("icat", image, view[path][0]), path
    assert len(list((out / "unicode").iterdir())) == len([p for p in view if p.startswith("/unicode/")])


def test_nothing_existing_is_replaced(unpacked, tmp_path):
    image = unpacked("ntfs/ntfs-4k.img.gz")
    (tmp_path / "unicode").mkdir()
    (tmp_path / "unicode" / "case.txt").write_text("mine")
    result = json.loads(run("extract", image, "/unicode", "-o", tmp_path, "--json").stdout)
    assert (tmp_path / "unicode" / "case.txt").read_text() == "mine"
    renamed = {r["path"]: r["written_as"] for r in result["renamed"]}
    assert renamed["/unicode"] == "unicode~2"
    assert (tmp_path / "unicode~2" / "case.txt").read_bytes() == run_bytes("cat", image, "/unicode/case.txt")


def test_a_missing_path_is_an_error_before_anything_is_written(unpacked, tmp_path):
    image = unpacked("ntfs/ntfs-512.img.gz")
    result = run("extract", image, "/docs", "/no/such", "-o", tmp_path / "out", check=False)
    assert result.returncode == 1 and "/no/such" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_vhdx_source_extracts_like_the_raw_disk(unpacked, tmp_path):
    image = unpacked("ntfs/ntfs-64k.img.gz")
    vhdx = tmp_path / "volume.vhdx"
    run("convert", image, "-o", vhdx)
    run("extract", image, "/", "-o", tmp_path / "raw", "--streams", "sidecar")
    run("extract", vhdx, "/", "-o", tmp_path / "vhdx", "--streams", "sidecar")
    raw, from_vhdx = extracted_tree(tmp_path / "raw"), extracted_tree(tmp_path / "vhdx")
    assert raw == from_vhdx and len(raw) > 50
    for path, kind in raw.items():
        if kind == "f":
            assert (tmp_path / "raw" / path[1:]).read_bytes() == (tmp_path / "vhdx" / path[1:]).read_bytes()


def test_owners_are_what_ntfssecaudit_says(windows_disk, tmp_path):
    """The owner SID of every file and directory extracted from a volume Windows wrote,
    against ntfs-3g's ntfssecaudit on the same volume."""
    if not takes_user_xattrs(tmp_path):
        pytest.skip(f"{tmp_path} takes no user extended attributes")
    out = tmp_path / "out"
    run("extract", windows_disk, "/", "-o", out)
    volume = sparse_slice(windows_disk, 1 << 20, tmp_path / "volume.raw")
    owners = set()
    for path in extracted_tree(out):
        audit = subprocess.run(["ntfssecaudit", str(volume), path], capture_output=True, text=True).stdout
        expected = next(line.split()[-1] for line in audit.splitlines() if line.startswith("Windows owner"))
        assert os.getxattr(out / path[1:], "user.ntfs.owner").decode() == expected, path
        owners.add(expected)
    assert len(owners) >= 3  # SYSTEM, Administrators and the user, at least


def test_deep_trees_hard_links_and_reparse_points_as_ntfs3g_shows_them(unpacked, tmp_path):
    """tests/fixtures/extract/ntfs-links (make_extract_fixture.sh): 30 levels of
    directories, a hard link across two of them, and a file symbolic link, a directory
    symbolic link and a junction as Windows stores them: each reparse point written as a
    plain file or directory carrying its reparse data (what ntfs-3g's
    system.ntfs_reparse_data showed) in user.ntfs.reparse, never as a link to follow."""
    if not takes_user_xattrs(tmp_path):
        pytest.skip(f"{tmp_path} takes no user extended attributes")
    image = unpacked("extract/ntfs-links.img.gz")
    out = tmp_path / "out"
    summary = json.loads(run("extract", image, "/", "-o", out, "--json").stdout)
    view = mount_view("ntfs-links", FIXTURES / "extract")
    assert set(extracted_tree(out)) == set(view)
    for path, (record, kind, size, digest) in view.items():
        fd = deep_open(out, path)
        try:
            if kind == "d":
                assert stat.S_ISDIR(os.fstat(fd).st_mode), path
            elif kind == "f":
                data = os.pread(fd, size + 1, 0)
                assert (len(data), md5(data)) == (size, digest), path
            else:
                reparse = os.getxattr(f"/proc/self/fd/{fd}", "user.ntfs.reparse")
                assert reparse.hex() == digest, path
        finally:
            os.close(fd)
    assert summary["reparse_points"] == 3 and summary["skipped"] == []
    assert os.stat(out / "d01/linked.txt").st_ino == os.stat(out / "d01/d02/also-linked.txt").st_ino
    assert max(path.count("/") for path in view) >= 31
    # The far pair's first name is deeper than a path reaches: its second name is a copy
    # (the review's endless renaming loop was here), and only the near pair is a link.
    assert summary["hard_links"] == 1
    assert max(len(path.encode()) for path in view) > 4096


def test_the_same_tree_asked_for_twice_is_written_twice(unpacked, tmp_path):
    """(Found by a review: the second copy came out empty.)"""
    image = unpacked("ntfs/ntfs-4k.img.gz")
    result = json.loads(run("extract", image, "/compressed", "/compressed", "-o", tmp_path, "--json").stdout)
    first = sorted(p.name for p in (tmp_path / "compressed").iterdir())
    assert first and sorted(p.name for p in (tmp_path / "compressed~2").iterdir()) == first
    assert [r["written_as"] for r in result["renamed"]] == ["compressed~2"]
