/// @file
/// Directory indexes ($I30): $INDEX_ROOT and the INDX blocks of $INDEX_ALLOCATION.
#pragma once

#include <diskimg/ntfs/file_name.hpp>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

/// One entry of a directory index: a name and the file it names.
struct DirectoryEntry {
  RecordReference file;   ///< the file's record, with the sequence number it must have
  FileName name;          ///< the index key: a copy of the file's $FILE_NAME
};

/// One slot of an index node, in order: an entry (absent in the node's last slot) and the
/// VCN of the block holding the entries that sort before it, if any.
struct IndexSlot {
  std::optional<DirectoryEntry> entry;       ///< empty in the node's last slot
  std::optional<std::uint64_t> subnode_vcn;  ///< the block of the entries before this one
};

/// Parses the entries of one index node; `node` starts at its index node header (offset 0x10
/// of the $INDEX_ROOT value, 0x18 of an INDX block). Throws FormatError prefixed by `where`.
std::vector<IndexSlot> parse_index_node(std::span<const std::byte> node, std::string_view where);

/// Checks an INDX block read for `vcn` (signature, fixups applied in place, its own VCN)
/// and returns its node, ready for parse_index_node: a view into `block`. Throws FormatError
/// prefixed by `where`; `block` may have had its fixups applied then.
std::span<const std::byte> open_index_block(std::span<std::byte> block, std::uint64_t vcn,
                                            std::string_view where);

}  // namespace diskimg::ntfs
