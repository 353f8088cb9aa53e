"""diskimg: disk images for P2V conversion and backup. Everything is in the compiled module
diskimg._diskimg; this file only names it as the package (help(diskimg) lists it all)."""
import io as _io
import sys as _sys

from . import _diskimg
from ._diskimg import *  # noqa: F401,F403
from ._diskimg import __doc__, __version__, vhd  # noqa: F401

__all__ = [name for name in dir(_diskimg) if not name.startswith("_")]
_io.RawIOBase.register(File)  # noqa: F405  isinstance(f, io.IOBase) holds
_io.RawIOBase.register(vhd.WritableFile)
_sys.modules[__name__ + ".vhd"] = vhd  # `import diskimg.vhd`, `from diskimg.vhd import create`
