// Directory indexes: the B-tree of $I30 walked in order, from $INDEX_ROOT through the INDX
// blocks of $INDEX_ALLOCATION that $BITMAP marks in use.
#include "core/arithmetic.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "ntfs/index_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <array>
#include <bit>
#include <functional>
#include <set>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

// Real trees are a few levels deep; a deeper one is a loop or hostile.
constexpr unsigned max_index_depth = 32;
constexpr std::string_view directory_index = "$I30";

using EntryCallback = std::function<void(const DirectoryEntry&)>;

class IndexWalker {
 public:
  IndexWalker(const Volume& volume, const File& directory, const EntryCallback& callback)
      : volume_(volume), directory_(directory), callback_(callback) {}

  void walk() {
    const Attribute* root = directory_.find(AttributeType::index_root, directory_index);
    if (root == nullptr || !root->resident) {
      throw FormatError(fmt::format("ntfs: MFT record {}: directory has no resident $INDEX_ROOT "
                                    "$I30", directory_.number()),
                        {fmt::format("MFT record {}", directory_.number()), std::nullopt});
    }
    disk::IndexRootValue value;
    try {
      value = load<disk::IndexRootValue>(root->value, 0, "$INDEX_ROOT");
    } catch (const FormatError& error) {
      throw fault(error.what());
    }
    block_size_ = value.index_block_size.value();
    if (block_size_ < 512 || block_size_ > (64u << 10) || !std::has_single_bit(block_size_)) {
      throw fault(fmt::format("$INDEX_ROOT gives index block size {}", block_size_));
    }
    // Sub-node VCNs count clusters, or 512-byte units when blocks are smaller than a
    // cluster (ntfs-3g index.c, vcn_size_bits).
    vcn_shift_ = block_size_ >= volume_.cluster_size()
                     ? static_cast<unsigned>(std::countr_zero(volume_.cluster_size()))
                     : 9;
    const auto node = std::span<const std::byte>(root->value).subspan(16);
    walk_node(node, 0, fmt::format("ntfs: directory (MFT record {}) $INDEX_ROOT",
                                   directory_.number()));
  }

 private:
  FormatError fault(const std::string& what) const {
    const std::uint64_t number = directory_.number();
    const std::optional<std::uint64_t> offset = volume_.record_offset(number);
    const std::string place = offset ? fmt::format("MFT record {}, volume offset {:#x}", number, *offset)
                                     : fmt::format("MFT record {}", number);
    return FormatError(fmt::format("ntfs: directory ({}): {}", place, what),
                       {fmt::format("MFT record {}", number), offset});
  }

  void open_allocation() {
    if (allocation_) return;
    if (directory_.find(AttributeType::index_allocation, directory_index) == nullptr) {
      throw fault("an index entry has a sub-node but there is no $INDEX_ALLOCATION");
    }
    allocation_ = volume_.open_stream(directory_, AttributeType::index_allocation, directory_index);
    if (directory_.find(AttributeType::bitmap, directory_index) != nullptr) {
      bitmap_ = volume_.open_stream(directory_, AttributeType::bitmap, directory_index);
    }
  }

  // The block's bit in $BITMAP, read when asked: both sizes come from the records, and a
  // sparse run makes either as large as it likes, so the bitmap is never read whole.
  bool block_in_use(std::uint64_t block) {
    if (!bitmap_) return true;  // no $BITMAP at all: every block counts (NTFS 1.2 may lack it)
    if (block / 8 >= bitmap_->size()) return false;
    std::array<std::byte, 1> byte{};
    bitmap_->read(block / 8, byte);
    return ((std::to_integer<unsigned>(byte[0]) >> (block % 8)) & 1) != 0;
  }

  void walk_block(std::uint64_t vcn, unsigned depth) {
    if (depth > max_index_depth) throw fault(fmt::format("index deeper than {} levels", max_index_depth));
    if (!visited_.insert(vcn).second) throw fault(fmt::format("index block VCN {} is reached twice", vcn));
    open_allocation();
    if (vcn > (allocation_->size() >> vcn_shift_)) {
      throw fault(fmt::format("sub-node VCN {} lies past $INDEX_ALLOCATION", vcn));
    }
    const std::uint64_t offset = vcn << vcn_shift_;
    if (offset % block_size_ != 0 || !checked_add(offset, block_size_) ||
        offset + block_size_ > allocation_->size()) {
      throw fault(fmt::format("sub-node VCN {} is not a block inside $INDEX_ALLOCATION", vcn));
    }
    if (!block_in_use(offset / block_size_)) {
      throw fault(fmt::format("sub-node VCN {} is free in $BITMAP", vcn));
    }
    std::vector<std::byte> block = allocation_->read(offset, block_size_);
    const std::string where = fmt::format("ntfs: directory (MFT record {}) INDX block VCN {}",
                                          directory_.number(), vcn);
    walk_node(open_index_block(block, vcn, where), depth, where);
  }

  // Entries in order, each sub-node before the entry that follows it.
  void walk_node(std::span<const std::byte> node, unsigned depth, const std::string& where) {
    for (const IndexSlot& slot : parse_index_node(node, where)) {
      if (slot.subnode_vcn) walk_block(*slot.subnode_vcn, depth + 1);
      if (slot.entry) callback_(*slot.entry);
    }
  }

  const Volume& volume_;
  const File& directory_;
  const EntryCallback& callback_;
  std::uint32_t block_size_ = 0;
  unsigned vcn_shift_ = 0;
  std::shared_ptr<const Stream> allocation_;
  std::shared_ptr<const Stream> bitmap_;  // the index's $BITMAP, when it has one
  std::set<std::uint64_t> visited_;
};

}  // namespace

std::vector<IndexSlot> parse_index_node(std::span<const std::byte> node, std::string_view where) {
  const auto fault = [&](const std::string& what) {
    return FormatError(fmt::format("{}: {}", where, what), {std::string(where), std::nullopt});
  };
  disk::IndexNodeHeader header;
  try {
    header = load<disk::IndexNodeHeader>(node, 0, "index node header");
  } catch (const FormatError& error) {
    throw fault(error.what());
  }
  const std::size_t first = header.entries_offset.value();
  const std::size_t end = header.index_length.value();
  if (first < sizeof(disk::IndexNodeHeader) || end > node.size() || first > end) {
    throw fault(fmt::format("entries {}..{} do not fit the {}-byte node", first, end, node.size()));
  }
  std::vector<IndexSlot> slots;
  std::size_t offset = first;
  while (true) {
    if (end - offset < sizeof(disk::IndexEntryHeader)) {
      throw fault("entries end without a last entry");
    }
    const auto entry = load<disk::IndexEntryHeader>(node, offset, "index entry header");
    const std::size_t length = entry.length.value();
    const std::uint16_t flags = entry.flags.value();
    if (length < sizeof(disk::IndexEntryHeader) || length % 8 != 0 || length > end - offset) {
      throw fault(fmt::format("entry at offset {} has length {}", offset, length));
    }
    IndexSlot slot;
    if (flags & disk::entry_has_subnode) {
      if (length < sizeof(disk::IndexEntryHeader) + 8) {
        throw fault(fmt::format("entry at offset {} is too short for a sub-node", offset));
      }
      slot.subnode_vcn = load<boost::endian::little_uint64_buf_t>(node, offset + length - 8, "sub-node VCN").value();
    }
    if (flags & disk::entry_is_last) {
      slots.push_back(slot);
      return slots;
    }
    const std::size_t key_length = entry.key_length.value();
    if (key_length > length - sizeof(disk::IndexEntryHeader)) {
      throw fault(fmt::format("entry at offset {} has a key of {} bytes", offset, key_length));
    }
    DirectoryEntry found;
    found.file = RecordReference::from_u64(entry.file_reference.value());
    try {
      found.name = parse_file_name(node.subspan(offset + sizeof(disk::IndexEntryHeader), key_length));
    } catch (const FormatError& error) {
      throw fault(fmt::format("entry at offset {}: {}", offset, error.what()));
    }
    slot.entry = std::move(found);
    slots.push_back(std::move(slot));
    offset += length;
  }
}

std::span<const std::byte> open_index_block(std::span<std::byte> block, std::uint64_t vcn,
                                            std::string_view where) {
  const std::string what(where);
  if (block.size() < sizeof(disk::IndexBlockHeader) ||
      std::string_view(reinterpret_cast<const char*>(block.data()), 4) != "INDX") {
    throw FormatError(what + ": no INDX signature", {what, std::nullopt});
  }
  apply_fixups(block, what.c_str());
  const auto header = load<disk::IndexBlockHeader>(block, 0, "INDX block header");  // its size was checked
  if (header.vcn.value() != vcn) {
    throw FormatError(fmt::format("{}: block says it is VCN {}", what, header.vcn.value()), {what, std::nullopt});
  }
  return std::span<const std::byte>(block).subspan(offsetof(disk::IndexBlockHeader, node));
}

namespace {

std::u16string folded(const Volume& volume, std::u16string_view name) {
  std::u16string out(name);
  for (char16_t& unit : out) unit = volume.upcase(unit);
  return out;
}

}  // namespace

std::vector<DirectoryEntry> Volume::list_directory(const File& directory,
                                                   bool include_dos_names) const {
  std::vector<DirectoryEntry> entries;
  const EntryCallback collect = [&](const DirectoryEntry& entry) {
    if (!include_dos_names && entry.name.name_space == NameSpace::dos) return;
    entries.push_back(entry);
  };
  IndexWalker(*this, directory, collect).walk();
  return entries;
}

std::optional<DirectoryEntry> Volume::find_in_directory(const File& directory,
                                                        std::u16string_view name) const {
  const std::u16string wanted = folded(*this, name);
  std::optional<DirectoryEntry> exact;
  std::optional<DirectoryEntry> caseless;
  const EntryCallback match = [&](const DirectoryEntry& entry) {
    if (exact) return;
    if (entry.name.name_utf16 == name) {
      exact = entry;
    } else if (!caseless && folded(*this, entry.name.name_utf16) == wanted) {
      caseless = entry;
    }
  };
  IndexWalker(*this, directory, match).walk();
  return exact ? exact : caseless;
}

StreamPath split_stream_path(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  const std::size_t slash = text.rfind('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
    return {std::string(text), {}};
  }
  return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

File Volume::open_path(std::string_view path) const {
  File current = read_file(root_directory_record);
  std::string walked;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    if (!current.is_directory()) {
      throw NotFoundError(fmt::format("ntfs: {} is not a directory", walked.empty() ? "/" : walked));
    }
    walked += "/";
    walked += part;
    const auto entry = find_in_directory(current, utf8_to_utf16(part));
    if (!entry) throw NotFoundError(fmt::format("ntfs: {}: no such file or directory", walked));
    current = read_file(entry->file.record);
    if (current.record.sequence != entry->file.sequence) {
      throw FormatError(fmt::format("ntfs: {}: the index points at MFT record {} sequence {}, "
                                    "the record has sequence {}", walked, entry->file.record,
                                    entry->file.sequence, current.record.sequence),
                        {fmt::format("MFT record {}", entry->file.record), std::nullopt});
    }
  }
  return current;
}

}  // namespace diskimg::ntfs
