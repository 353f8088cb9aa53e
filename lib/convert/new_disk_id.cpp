#include <diskimg/convert/new_disk_id.hpp>
#include <diskimg/layout/rewrite.hpp>
#include <diskimg/source/patched_source.hpp>

namespace diskimg {

SourcePtr with_new_disk_id(const Disk& disk) {
  std::vector<Patch> patches = new_identifier_patches(*disk.source(), disk.layout());
  if (patches.empty()) return disk.source();
  return std::make_shared<PatchedSource>(disk.source(), std::move(patches));
}

}  // namespace diskimg
