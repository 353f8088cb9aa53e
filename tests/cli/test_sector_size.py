"""Disks with 4096-byte sectors keep them: a VHD (512-byte sectors only) of one is refused
with an error that names VHDX, a VHDX presents them (read back by libvhdi), and a bare NTFS
volume image takes its sector size from its boot sector. The fixtures' sector sizes are
what sfdisk (on a 4096-byte loop device) and fsstat recorded when they were made."""
import hashlib
import json
import subprocess

import pytest

from conftest import DISKIMG, FIXTURES, run

PYVHDI_READ = """
import hashlib, sys, pyvhdi
f = pyvhdi.file(); f.open(sys.argv[1])
h = hashlib.sha256(); offset = 0
while offset < f.media_size:
    piece = f.read_buffer_at_offset(min(1 << 20, f.media_size - offset), offset)
    h.update(piece); offset += len(piece)
print(f.media_size, f.bytes_per_sector, h.hexdigest())
"""


def libvhdi_view(path):
    """(size, bytes per sector, sha256 of the bytes) as libvhdi reads the image."""
    out = subprocess.run(["/usr/bin/python3", "-c", PYVHDI_READ, str(path)], capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), int(out[1]), out[2]


def recorded_gpt_sector_size():
    return json.loads((FIXTURES / "layout" / "gpt-4k.sfdisk.json").read_text())["partitiontable"]["sectorsize"]


def recorded_fsstat_sector_size(name):
    lines = (FIXTURES / "ntfs" / f"{name}.fsstat.txt").read_text().splitlines()
    return int(next(line for line in lines if line.startswith("Sector Size:")).split(":")[1])


def test_a_4096_byte_sector_disk_as_a_vhd_is_refused_naming_vhdx(unpacked, tmp_path):
    assert recorded_gpt_sector_size() == 4096
    out = tmp_path / "out.vhd"
    result = run("convert", unpacked("layout/gpt-4k.img.gz"), "-o", out, check=False)
    assert result.returncode == 2, result.stderr
    assert "4096-byte sectors" in result.stderr and "VHDX" in result.stderr
    assert not out.exists()
    # Forced, the user gets the VHD they asked for.
    forced = run("convert", "--force-sector-size", unpacked("layout/gpt-4k.img.gz"), "-o", out, check=False)
    assert forced.returncode == 0, forced.stderr
    assert out.exists()


def test_a_4096_byte_sector_disk_converts_to_a_vhdx_of_4096_byte_sectors(unpacked, tmp_path):
    source = unpacked("layout/gpt-4k.img.gz")
    out = tmp_path / "out.vhdx"
    run("convert", "--all-sectors", source, "-o", out)
    data = source.read_bytes()
    assert libvhdi_view(out) == (len(data), recorded_gpt_sector_size(), hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("name,expected_vhd_refused", [("ntfs-4kn", True), ("ntfs-4k", False)])
def test_a_bare_ntfs_image_takes_its_sector_size_from_its_boot_sector(unpacked, tmp_path, name, expected_vhd_refused):
    image = unpacked(f"ntfs/{name}.img.gz")
    sector_size = recorded_fsstat_sector_size(name)
    report = json.loads(run("inspect", "--json", image).stdout)
    assert report["sector_size"] == sector_size
    result = run("convert", image, "-o", tmp_path / "out.vhd", check=False)
    assert (result.returncode == 2) == expected_vhd_refused, result.stderr
    if expected_vhd_refused:
        run("convert", image, "-o", tmp_path / "out.vhdx")
        assert libvhdi_view(tmp_path / "out.vhdx")[1] == sector_size
