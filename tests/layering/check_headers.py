#!/usr/bin/env python3
"""The layering the build enforces, shown header by header.

For every layer in build/layers.txt (written by cmake/DiskimgLayers.cmake from the CMake
targets), with exactly the include directories the build compiles that layer with:
  * each of its public headers compiles on its own (self-contained, and it includes nothing
    above its layer);
  * a header of every layer below it can be included;
  * a header of every layer that is not below it cannot ("No such file or directory");
  * no other layer's private header (lib/LAYER/*.hpp) can be included, but core's.
Usage: check_headers.py BUILD_DIR SOURCE_DIR [COMPILER]
"""
import concurrent.futures
import os
import pathlib
import subprocess
import sys
import tempfile

from layers import below, read_layers




def include_flags(build, name):
    text = (build / "layers" / name / "include_directories.txt").read_text().strip()
    return [f"-I{d}" for d in text.split(";") if d]


def compiles(compiler, flags, line):
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as probe:
        probe.write(line + "\n")
    try:
        result = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", *flags, probe.name],
                                capture_output=True, text=True)
        return result.returncode == 0, result.stderr
    finally:
        os.unlink(probe.name)


def main():
    build, source = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    compiler = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("CXX", "c++")
    layers = read_layers(build)
    public = {name: sorted((source / "include" / "diskimg" / name).glob("*.hpp")) for name in layers}
    private = {name: sorted((source / "lib" / name).glob("*.hpp")) for name in layers}
    checks = []  # (layer, line, should compile)
    for name in layers:
        allowed = below(layers, name)
        for header in public[name]:
            checks.append((name, f"#include <diskimg/{name}/{header.name}>", True))
        for other in layers:
            if other == name or not public[other]:
                continue
            line = f"#include <diskimg/{other}/{public[other][0].name}>"
            checks.append((name, line, other in allowed))
            if private[other]:
                checks.append((name, f'#include "{other}/{private[other][0].name}"', other == "core"))
    flags = {name: include_flags(build, name) for name in layers}
    failures = []
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = pool.map(lambda check: compiles(compiler, flags[check[0]], check[1]), checks)
        for (name, line, expected), (ok, errors) in zip(checks, results):
            if ok != expected:
                failures.append(f"layer {name}: {line!r} {'failed' if expected else 'compiled'}"
                                f" but should {'compile' if expected else 'fail'}\n{errors}")
            elif not ok and "No such file or directory" not in errors:
                failures.append(f"layer {name}: {line!r} failed for another reason:\n{errors}")
    print(f"{len(checks)} include checks over {len(layers)} layers, {len(failures)} wrong")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
