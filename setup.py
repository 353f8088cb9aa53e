"""The Python package: `pip install --no-build-isolation .` builds the module diskimg._diskimg
with CMake (Debian's pybind11, fmt, Boost, zlib; no download) and installs the package from
bindings/python/diskimg with its type stubs."""
import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
VERSION = "{MAJOR}.{MINOR}.{PATCH}".format(**dict(re.findall(
    r"#define DISKIMG_VERSION_(MAJOR|MINOR|PATCH) ([0-9]+)",
    (ROOT / "include" / "diskimg" / "version.hpp").read_text())))


class CMakeBuild(build_ext):
    """Builds the CMake target diskimg_python and puts the module where setuptools wants it."""

    def build_extension(self, ext):
        # DISKIMG_CMAKE_BUILD_DIR: an existing build tree of this source to build the module
        # in (the install test uses the tests' own tree instead of compiling it all again).
        existing = os.environ.get("DISKIMG_CMAKE_BUILD_DIR")
        build = pathlib.Path(existing or pathlib.Path(self.build_temp).resolve() / "cmake")
        if not existing:
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                            "-DDISKIMG_TESTS=OFF", "-DDISKIMG_TOOL=OFF",
                            f"-DPython_EXECUTABLE={sys.executable}"], check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "diskimg_python",
                        "-j", str(os.cpu_count() or 1)], check=True)
        built = next((build / "python" / "diskimg").glob("_diskimg*.so"))
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


setup(
    name="diskimg",
    version=VERSION,
    description="Disk images for P2V conversion and backup: MBR, GPT, NTFS, VHD",
    packages=["diskimg"],
    package_dir={"diskimg": "bindings/python/diskimg"},
    package_data={"diskimg": ["*.pyi", "py.typed"]},
    ext_modules=[Extension("diskimg._diskimg", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": "build/pip"}},
    python_requires=">=3.9",
    zip_safe=False,
)
