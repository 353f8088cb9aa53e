#include "convert/parent.hpp"

#include <diskimg/core/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace diskimg {
namespace {

bool is_vhdx_container(ContainerFormat format) {
  return format == ContainerFormat::vhdx_fixed || format == ContainerFormat::vhdx_dynamic ||
         format == ContainerFormat::vhdx_differencing;
}

std::string lowercase_extension(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

const std::string& parent_name(const Disk& parent) { return parent.container().chain.front(); }

// The NTFS volume serial number (boot sector offset 0x48), or nothing for other file systems
// and volumes too small to hold one.
std::optional<std::uint64_t> ntfs_serial(const Volume& volume) {
  if (volume.filesystem != FilesystemKind::ntfs || volume.size < 0x50) return std::nullopt;
  std::array<std::byte, 8> bytes{};
  volume.bytes->read(0x48, bytes);
  std::uint64_t serial = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) serial |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[i])} << (8 * i);
  return serial;
}

void check_same_partitions(const Disk& copied, const Disk& parent) {
  const auto differs = [&](std::string what) {
    return ParentMismatchError(fmt::format("convert: the parent {} does not have the source's partitions: {}",
                                           parent_name(parent), what),
                               true, {parent_name(parent), std::nullopt});
  };
  for (const Partition& partition : copied.layout().partitions) {
    const Partition* other = parent.layout().find(partition.number);
    if (other == nullptr) throw differs(fmt::format("partition {} is not in the parent", partition.number));
    if (other->start != partition.start || other->size != partition.size || other->type() != partition.type()) {
      throw differs(fmt::format("partition {} is {} bytes at offset {:#x} of type {} in the source, {} bytes at "
                                "offset {:#x} of type {} in the parent",
                                partition.number, partition.size, partition.start, partition.type(), other->size,
                                other->start, other->type()));
    }
  }
  for (const Partition& partition : parent.layout().partitions) {
    if (copied.layout().find(partition.number) == nullptr) {
      throw differs(fmt::format("the parent's partition {} is not in the source", partition.number));
    }
  }
}

// Two NTFS volumes in the same place with different serial numbers are two formattings:
// the parent is a copy of another volume (or of this one before it was formatted again).
void check_same_volumes(const Disk& copied, const Disk& parent) {
  for (const Volume& volume : copied.volumes()) {
    const auto other = std::find_if(parent.volumes().begin(), parent.volumes().end(), [&](const Volume& candidate) {
      return candidate.origin_name() == volume.origin_name();
    });
    if (other == parent.volumes().end()) continue;
    const auto serial = ntfs_serial(volume);
    const auto other_serial = ntfs_serial(*other);
    if (serial && other_serial && *serial != *other_serial) {
      throw ParentMismatchError(
          fmt::format("convert: the parent {} holds another NTFS volume in {}: serial number {:016X} there, "
                      "{:016X} in the source",
                      parent_name(parent), volume.origin_name(), *other_serial, *serial),
          true, {"NTFS boot sector", 0x48});  // volume offsets, as NTFS errors give them
    }
  }
}

}  // namespace

Disk open_parent(const std::filesystem::path& path) {
  Disk parent = Disk::open(path);
  if (parent.container().format == ContainerFormat::raw) {
    throw UsageError(fmt::format("convert: the parent {} is a raw image: an incremental copy's parent is the VHD "
                                 "or VHDX of an earlier conversion", path.string()),
                     {path.string(), std::nullopt});
  }
  return parent;
}

OutputFormat child_format(const Disk& parent, const std::filesystem::path& output, std::optional<OutputFormat> asked) {
  const bool vhdx = is_vhdx_container(parent.container().format);
  const OutputFormat format = vhdx ? OutputFormat::vhdx_differencing : OutputFormat::vhd_differencing;
  const std::string family = vhdx ? "VHDX" : "VHD";
  if (asked && *asked != format &&
      *asked != (vhdx ? OutputFormat::vhdx_dynamic : OutputFormat::vhd_dynamic)) {
    throw UsageError(fmt::format("convert: the parent {} is a {}, and a child has its parent's format ({}), not {}",
                                 parent_name(parent), family, to_string(format), to_string(*asked)));
  }
  const std::string extension = lowercase_extension(output);
  if (!asked && (extension == ".vhd" || extension == ".vhdx") && (extension == ".vhdx") != vhdx) {
    throw UsageError(fmt::format("convert: the parent {} is a {}, and its child is one too: name the output "
                                 "{} rather than {}",
                                 parent_name(parent), family, vhdx ? "*.vhdx" : "*.vhd", output.string()));
  }
  return format;
}

void check_output_outside_chain(const std::filesystem::path& output, const Disk& parent) {
  for (const std::string& file : parent.container().chain) {
    std::error_code error;
    if (std::filesystem::equivalent(output, file, error)) {
      const std::string what = file == parent_name(parent) ? "the parent" : file + ", a file of the parent's chain";
      throw UsageError(fmt::format("convert: the output {} is {}, which the child reads through: write the child "
                                   "to a new file",
                                   output.string(), what),
                       {output.string(), std::nullopt});
    }
  }
}

void check_parent_matches(const Disk& copied, std::uint64_t disk_size, std::uint32_t sector_size, const Disk& parent,
                          bool allow_other_disk) {
  const Location where{parent_name(parent), std::nullopt};
  if (parent.size() != disk_size) {
    throw ParentMismatchError(fmt::format("convert: the parent {} holds a disk of {} bytes and the copy is one of {} "
                                          "bytes: a child has its parent's size",
                                          parent_name(parent), parent.size(), disk_size),
                              false, where);
  }
  if (parent.source()->sector_size() != sector_size) {
    throw ParentMismatchError(fmt::format("convert: the parent {} presents {}-byte sectors and the copy {}-byte ones",
                                          parent_name(parent), parent.source()->sector_size(), sector_size),
                              false, where);
  }
  if (allow_other_disk) return;
  if (copied.layout().scheme != parent.layout().scheme || copied.layout().disk_id() != parent.layout().disk_id()) {
    const auto describe = [](const Disk& disk) {
      return disk.layout().scheme == Scheme::none
                 ? std::string("no partition table")
                 : fmt::format("{} disk {}", disk.layout().scheme == Scheme::gpt ? "GPT" : "MBR",
                               disk.layout().disk_id());
    };
    throw ParentMismatchError(fmt::format("convert: the parent {} has {} and the source {}: it is a copy of another "
                                          "disk, or was given new disk identifiers, which its child must then be "
                                          "given too",
                                          parent_name(parent), describe(parent), describe(copied)),
                              true, where);
  }
  check_same_partitions(copied, parent);
  check_same_volumes(copied, parent);
}

}  // namespace diskimg
