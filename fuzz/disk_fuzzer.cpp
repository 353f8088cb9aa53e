// The whole stack from a file system path, as the command-line tool meets a file: the input
// (raw, or a sparse input holding up to four files: fuzz_support.hpp) is written to a
// scratch directory as disk.vhd (and parent.vhd, grandparent.vhd, other.vhd), then
//   Disk::open → VHD detection and chain (locators and parent names find the other files;
//   sub/ links back to the directory) → MBR/EBR, GPT, LDM → for each volume: file-system
//   sniffing, NTFS (catalog, listings, streams, used map and its check, bounded) →
//   plan_conversion; the files as one LDM disk group; check_vhd on the file; the first two
//   files as an incremental conversion's source and parent (the parent checks, and the MFT
//   comparison of ChangeDetection::mft).
// Every diskimg::Error is an answer; anything else (a crash, a sanitizer report, another
// exception, a leak, a timeout, an allocation over the limit) is a finding.
#include "convert/mft_changes.hpp"
#include "convert/parent.hpp"
#include "fuzz_support.hpp"

#include <diskimg/convert/plan.hpp>
#include <diskimg/disk/disk.hpp>
#include <diskimg/layout/filesystem.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>

#include <cstdint>

namespace {

using diskimg::Error;

// Files are sparse: a large size costs nothing until something reads all of it.
constexpr std::uint64_t max_file_bytes = 4ull << 30;
constexpr std::size_t max_volumes = 8;

template <typename Action>
void guarded(Action&& action) {
  try {
    action();
  } catch (const Error&) {
  }
}

// What a copier asks of a source: where data and holes are, a few blocks of it.
void sample(const diskimg::ByteSource& source) {
  std::vector<std::byte> buffer(4096);
  const std::uint64_t size = source.size();
  std::uint64_t offset = 0;
  for (int step = 0; step < 8 && offset < size; ++step) {
    offset = source.next_data(offset);
    if (offset >= size) break;
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - offset));
    source.read(offset, std::span(buffer).first(length));
    offset = std::max(source.next_hole(offset), offset + length);
  }
}

void exercise_disk(const diskimg::Disk& disk) {
  (void)disk.warnings();
  guarded([&] { sample(*disk.source()); });
  std::size_t count = 0;
  for (const diskimg::Volume& volume : disk.volumes()) {
    if (++count > max_volumes) break;
    (void)volume.origin_name();
    guarded([&] { (void)diskimg::sniff_filesystem(*volume.bytes); });
    guarded([&] { sample(*volume.bytes); });
    if (volume.filesystem == diskimg::FilesystemKind::ntfs) diskimg::fuzz::exercise_ntfs_volume(volume.bytes);
  }
  guarded([&] { (void)diskimg::plan_conversion(disk); });
  guarded([&] { (void)diskimg::plan_conversion(disk, {.all_sectors = false, .exclude_pagefile = true}); });
}

// The first disk as a source, the second as its parent.
void exercise_incremental(const diskimg::Disk& source, const diskimg::Disk& parent) {
  guarded([&] { diskimg::check_parent_matches(source, source.size(), source.sector_size(), parent, false); });
  guarded([&] { (void)diskimg::unchanged_by_mft(source, parent); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto files = diskimg::fuzz::decode_input(std::as_bytes(std::span(data, size)), max_file_bytes);
  const auto paths = diskimg::fuzz::ScratchDirectory::instance().write(files);
  guarded([&] { exercise_disk(diskimg::Disk::open(paths.front())); });
  if (paths.size() > 1) guarded([&] { exercise_disk(diskimg::Disk::open(paths)); });
  if (paths.size() > 1) {
    guarded([&] { exercise_incremental(diskimg::Disk::open(paths[0]), diskimg::Disk::open(paths[1])); });
  }
  guarded([&] {
    if (diskimg::vhd::looks_like_vhd(diskimg::FileSource(paths.front()))) {
      (void)diskimg::vhd::check_vhd(paths.front());
    }
  });
  return 0;
}
