#include <diskimg/convert/new_disk_id.hpp>
#include <diskimg/source/patched_source.hpp>

namespace diskimg {

SourcePtr with_disk_identifiers(const Disk& disk, const DiskIdentifiers& identifiers) {
  std::vector<Patch> patches = identifier_patches(*disk.source(), disk.layout(), identifiers);
  if (patches.empty()) return disk.source();
  return std::make_shared<PatchedSource>(disk.source(), std::move(patches));
}

SourcePtr with_new_disk_id(const Disk& disk) { return with_disk_identifiers(disk, random_identifiers()); }

}  // namespace diskimg
