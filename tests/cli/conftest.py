"""Shared helpers of the command-line tests: the tool, the fixtures, a runner."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from oracles import FIXTURES, ldm_images, pytest_terminal_summary, sample, unpacked  # noqa: E402,F401  (fixtures, hook)

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


# A hostile file may cost at most this much (the resource budget of docs/architecture.md).
BUDGET_MIB = 256
BUDGET_SECONDS = 10
SANITIZED = os.environ.get("DISKIMG_SANITIZED") == "1"


def run_limited(*args, out_of_memory_expected=False):
    """Runs diskimg within the budget for hostile input: at most BUDGET_MIB of memory and
    BUDGET_SECONDS of CPU (prlimit). Under AddressSanitizer, which maps terabytes of shadow
    memory, the allocator's own limits replace the address-space one (twice the budget in
    resident memory, for the shadow), and the time is tripled. Returns the CompletedProcess; fails when the budget killed the process."""
    seconds = BUDGET_SECONDS * (3 if SANITIZED else 1)
    env = dict(os.environ)
    command = [DISKIMG, *map(str, args)]
    if SANITIZED:
        # Shadow memory and redzones add to the resident size, and freed memory waits in a
        # quarantine (256 MiB by default): a small quarantine and twice the budget in RSS.
        env["ASAN_OPTIONS"] = (f"{env.get('ASAN_OPTIONS', '')}:quarantine_size_mb=16"
                               f":hard_rss_limit_mb={2 * BUDGET_MIB}:malloc_limit_mb={BUDGET_MIB}")
        command = ["prlimit", f"--cpu={seconds}", *command]
    else:
        command = ["prlimit", f"--as={BUDGET_MIB << 20}", f"--cpu={seconds}", *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds * 3)
    assert result.returncode in (0, 1, 2), (
        f"diskimg {' '.join(map(str, args))} went over the budget ({BUDGET_MIB} MiB, {seconds} s): "
        f"exit {result.returncode}\n{result.stderr[-2000:]}")
    if not out_of_memory_expected:
        assert "out of memory" not in result.stderr, result.stderr
    return result


def run_json(*args):
    return json.loads(run(*args, "--json").stdout)




def partition_number(node):
    return int(re.search(r"(\d+)$", node).group(1))
