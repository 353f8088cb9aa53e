#!/usr/bin/env bash
# The README's install: `pip install --no-build-isolation .` into a fresh virtual environment
# that sees Debian's packages (no PyPI, no network), then `import diskimg` from outside the
# source tree: the installed package, its stubs, and a read of the bundled sample disk.
#
#   tests/python/install_test.sh SOURCE_DIR WORK_DIR [BUILD_DIR]
# With BUILD_DIR (the tests' own build tree) pip builds the module there instead of compiling
# the library a second time; setup.py's own configure step is then the only part not run.
set -euo pipefail
source_dir=$1
work=$2
if [[ -n ${3:-} ]]; then export DISKIMG_CMAKE_BUILD_DIR=$3; fi
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install --no-build-isolation --no-index --quiet "$source_dir"
cd "$work"
"$work/venv/bin/python" - "$source_dir/examples/sample-disk/sample-disk.img.gz" <<'PY'
import gzip, pathlib, shutil, sys
import diskimg, diskimg.vhd
package = pathlib.Path(diskimg.__file__).parent
assert "site-packages" in str(package), package
assert (package / "py.typed").exists() and (package / "__init__.pyi").exists() and (package / "vhd.pyi").exists()
with gzip.open(sys.argv[1]) as source, open("sample.img", "wb") as out:
    shutil.copyfileobj(source, out)
with diskimg.open("sample.img") as disk:
    names = [e.name for e in disk.volumes[2].ntfs().listdir("/")]
assert "Windows" in names and "Users" in names, names
print("installed:", package, diskimg.__version__)
PY
