#include "bindings.hpp"

#include <diskimg/version.hpp>

#include <string>

PYBIND11_MODULE(_diskimg, module) {
  using namespace diskimg::python;
  module.doc() =
      "diskimg: disk images for P2V conversion and backup. Partition layouts (MBR, GPT), NTFS\n"
      "from the boot sector to file contents, used-cluster maps, VHD images (fixed, dynamic,\n"
      "differencing) and conversion of a disk into a VHD holding only what is in use.\n\n"
      "    with diskimg.open(\"disk.img\") as disk:\n"
      "        fs = disk.volumes[0].ntfs()\n"
      "        for entry in fs.listdir(\"/\"): print(entry.name, entry.size)\n";
  module.attr("__version__") = std::string(diskimg::version);
  bind_errors(module);
  bind_file(module);
  bind_disk(module);
  bind_ntfs(module);
  bind_extract(module);
  bind_vhd(module);
  bind_convert(module);
}
