"""Shared helpers of the command-line tests: the tool, the fixtures, a runner."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from oracles import FIXTURES, ldm_images, sample, unpacked  # noqa: E402,F401  (fixtures)

DISKIMG = os.environ.get("DISKIMG", "diskimg")
VHD_TOOL = os.environ.get("VHD_TOOL", "vhd_tool")


def run(*args, check=True):
    """Runs diskimg; returns the CompletedProcess (text)."""
    result = subprocess.run([DISKIMG, *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"diskimg {' '.join(map(str, args))} exited {result.returncode}:\n"
                             f"{result.stderr}")
    return result


def run_bytes(*args):
    """Runs diskimg and returns its standard output as bytes; fails on a non-zero exit."""
    result = subprocess.run([DISKIMG, *map(str, args)], capture_output=True)
    if result.returncode != 0:
        raise AssertionError(f"diskimg {' '.join(map(str, args))} exited {result.returncode}:\n"
                             f"{result.stderr.decode(errors='replace')}")
    return result.stdout


def run_json(*args):
    return json.loads(run(*args, "--json").stdout)




def partition_number(node):
    return int(re.search(r"(\d+)$", node).group(1))
