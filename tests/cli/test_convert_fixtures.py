"""`diskimg convert` of disks whose free space holds stale random bytes (made by
tests/fixtures/make_convert_fixtures.sh: a GPT disk with EFI FAT, MSR, NTFS, a gap and
recovery NTFS; an MBR disk with an extended partition), checked against sfdisk, The Sleuth
Kit and qemu-img, and against the smallest dynamic VHD that can hold the data in use."""
import hashlib
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, run

CONVERT = FIXTURES / "convert"
sys.path.insert(0, str(CONVERT))
import keystream  # noqa: E402  (the fixtures' own unpacker)

DISKS = ["gpt-disk", "mbr-disk"]


@pytest.fixture(scope="module")
def restored(tmp_path_factory):
    directory = tmp_path_factory.mktemp("convert-fixtures")
    cache = {}

    def get(name):
        if name not in cache:
            path = directory / f"{name}.img"
            keystream.restore(CONVERT / f"{name}.kgz", path)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == (CONVERT / f"{name}.sha256").read_text().split()[0]
            cache[name] = path
        return cache[name]
    return get


def table(name):
    return json.loads((CONVERT / f"{name}.sfdisk.json").read_text())["partitiontable"]


def number(partition):
    return int("".join(c for c in partition["node"][-2:] if c.isdigit()))


def bitmap_info(name, part):
    fields = dict(line.split() for line in (CONVERT / f"{name}.p{part}.bitmap-used.txt").read_text().splitlines())
    return {key: int(value) for key, value in fields.items()}


def used_clusters(image, start_sector, total):
    bitmap = subprocess.run(["icat", "-o", str(start_sector), str(image), "6"], capture_output=True, check=True).stdout
    return [c for c in range(total) if (bitmap[c // 8] >> (c % 8)) & 1 or c == 0]


def ebr_sectors(image, extended_start):
    """The EBR chain as the MBR convention defines it, read here on its own."""
    data = image.read_bytes()
    sectors, ebr = [], extended_start
    while ebr not in sectors and len(sectors) < 64:
        sectors.append(ebr)
        entry = data[ebr * 512 + 446 + 16:ebr * 512 + 446 + 32]
        if entry[4] not in (0x05, 0x0F, 0x85):
            break
        ebr = extended_start + int.from_bytes(entry[8:12], "little")
    return sectors


def copied_ranges(name, image):
    """What a conversion must copy, derived from sfdisk's table and icat's $Bitmap."""
    layout = table(name)
    partitions = layout["partitions"]
    first = min(p["start"] for p in partitions) * 512
    ranges = [(0, first)]
    size = image.stat().st_size
    if layout["label"] == "gpt":
        ranges.append((size - 33 * 512, 33 * 512))  # backup entries and header
    for p in partitions:
        start, length = p["start"] * 512, p["size"] * 512
        if p["type"] in ("5", "f", "85"):
            ranges += [(s * 512, 512) for s in ebr_sectors(image, p["start"])]
            continue
        ntfs = CONVERT / f"{name}.p{number(p)}.bitmap-used.txt"
        if not ntfs.exists():
            ranges.append((start, length))
            continue
        info = bitmap_info(name, number(p))
        cluster = info["cluster_size"]
        for c in used_clusters(image, p["start"], info["total_clusters"]):
            ranges.append((start + c * cluster, cluster))
        ranges.append((start + length - 512, 512))  # the backup boot sector
    return ranges


@pytest.mark.parametrize("name", DISKS)
def test_conversion_keeps_tables_files_and_used_clusters_and_zeroes_the_rest(name, restored, tmp_path):
    image = restored(name)
    vhd = tmp_path / f"{name}.vhd"
    run("convert", image, "-o", vhd)
    assert run("check", vhd).returncode == 0
    info = json.loads(subprocess.run(["qemu-img", "info", "-f", "vpc", "--output=json", vhd],
                                     capture_output=True, text=True, check=True).stdout)
    assert info["virtual-size"] == image.stat().st_size
    back = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd, back], check=True)
    strip = lambda t: {k: v for k, v in t.items() if k != "device"} | {
        "partitions": [{k: v for k, v in p.items() if k != "node"} for p in t["partitions"]]}
    ours = json.loads(subprocess.run(["sfdisk", "--json", back], capture_output=True, text=True,
                                     check=True).stdout)["partitiontable"]
    assert strip(ours) == strip(table(name))

    source, copy = image.read_bytes(), back.read_bytes()
    copied = sorted(copied_ranges(name, image))
    covered = bytearray(len(source) // 512)
    for offset, length in copied:
        assert copy[offset:offset + length] == source[offset:offset + length], (offset, length)
        for sector in range(offset // 512, (offset + length + 511) // 512):
            covered[sector] = 1
    # Everything else reads as zeros, whatever stale bytes the source holds there.
    stale = 0
    for sector, inside in enumerate(covered):
        if not inside:
            piece = copy[sector * 512:(sector + 1) * 512]
            assert not any(piece), sector
            stale += any(source[sector * 512:(sector + 1) * 512])
    assert stale > 1000

    # Every file by The Sleuth Kit, on each NTFS volume.
    for p in table(name)["partitions"]:
        if not (CONVERT / f"{name}.p{number(p)}.fls.txt").exists():
            continue
        for line in (CONVERT / f"{name}.p{number(p)}.fls.txt").read_text().splitlines():
            kind, rest = line.split(" ", 1)
            if not kind.startswith("r/r") or rest.startswith("*"):
                continue
            address = rest.split(":\t", 1)[0].strip()
            icat = lambda img: subprocess.run(["icat", "-o", str(p["start"]), str(img), address],
                                              capture_output=True).stdout
            assert icat(back) == icat(image), line

    # No block allocated that holds no data in use: the smallest VHD for this data, at the
    # default 512 KiB blocks and at the others, whose contents read back the same.
    nonzero = [o for o, length in copied for o in range(o, o + length, 512) if any(source[o:o + 512])]
    assert vhd_block_size(vhd) == 512 << 10
    assert vhd.stat().st_size == smallest_vhd(len(source), nonzero, 512 << 10)
    for block in (1 << 20, 2 << 20):
        other = tmp_path / f"{block}.vhd"
        run("convert", image, "-o", other, "--block-size", str(block))
        assert vhd_block_size(other) == block
        assert other.stat().st_size == smallest_vhd(len(source), nonzero, block)
        subprocess.run(["qemu-img", "compare", "-f", "vpc", "-F", "vpc", vhd, other], check=True,
                       stdout=subprocess.DEVNULL)


def vhd_block_size(path):
    with open(path, "rb") as f:
        f.seek(512 + 32)  # dynamic header at 512, block size at 32, big-endian
        return int.from_bytes(f.read(4), "big")


def smallest_vhd(disk_size, nonzero_sectors, block):
    """Footer copy + header + BAT (whole sectors) + each block with data (bitmap sector and
    data) + footer: the VHD specification's layout with nothing to spare."""
    blocks = {offset // block for offset in nonzero_sectors}
    entries = (disk_size + block - 1) // block
    bitmap = (block // 512 // 8 + 511) // 512 * 512
    return 512 + 1024 + (entries * 4 + 511) // 512 * 512 + len(blocks) * (bitmap + block) + 512


@pytest.mark.parametrize("name", DISKS)
def test_excluded_pagefiles_read_as_zeros_and_stay_listed(name, restored, tmp_path):
    image = restored(name)
    vhd = tmp_path / "nopage.vhd"
    run("convert", image, "-o", vhd, "--exclude-pagefile")
    back = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd, back], check=True)
    checked = 0
    for p in table(name)["partitions"]:
        listing = CONVERT / f"{name}.p{number(p)}.fls.txt"
        if not listing.exists():
            continue
        for line in listing.read_text().splitlines():
            path = line.split(":\t", 1)[-1]
            if path not in ("pagefile.sys", "hiberfil.sys"):
                continue
            address = line.split(" ", 1)[1].split(":\t", 1)[0].strip()
            icat = lambda img: subprocess.run(["icat", "-o", str(p["start"]), str(img), address],
                                              capture_output=True).stdout
            original, copied = icat(image), icat(back)
            assert len(copied) == len(original) and any(original)
            assert not any(copied)  # contents left out
            fls = subprocess.run(["fls", "-o", str(p["start"]), str(back)], capture_output=True, text=True).stdout
            assert path in fls  # the entry is still there
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("block", ["512K", "2M"])
@pytest.mark.parametrize("name", DISKS)
def test_libvhdi_reads_the_conversion_as_qemu_does(name, block, restored, tmp_path):
    pyvhdi = pytest.importorskip("pyvhdi")
    vhd = tmp_path / "out.vhd"
    run("convert", restored(name), "-o", vhd, "--block-size", block)
    back = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd, back], check=True)
    handle = pyvhdi.file()
    handle.open(str(vhd))
    # One read of the whole disk: it crosses every block boundary.
    assert handle.read_buffer(handle.media_size) == back.read_bytes()
    handle.close()
