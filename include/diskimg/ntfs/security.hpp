/// @file
/// Who owns a file: the owner SID of its security descriptor, from $Secure's $SDS stream
/// (NTFS 3.0 and later name it by security id in $STANDARD_INFORMATION) or from the file's
/// own $SECURITY_DESCRIPTOR attribute (NTFS 1.2).
#pragma once

#include <diskimg/ntfs/file.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

namespace diskimg::ntfs {

/// The owner SID of a self-relative security descriptor, as text ("S-1-5-32-544"); empty
/// when it names none. Throws FormatError when the descriptor or the SID does not fit.
std::optional<std::string> owner_sid(std::span<const std::byte> descriptor);

/// The owners of every security descriptor in $Secure:$SDS, by security id. Holds their
/// SIDs as text, not the descriptors. Immutable once read: several threads may use it.
class SecurityOwners {
 public:
  /// Scans $SDS: each 256 KiB block (its mirror copy, the next 256 KiB, is skipped), entry
  /// by entry. Entries that do not fit are passed over, and a volume without $Secure (NTFS
  /// 1.2) gives no owners. Throws IoError when $SDS cannot be read.
  static SecurityOwners read(const Volume& volume);

  /// The owner SID of the descriptor with this security id, or nothing.
  std::optional<std::string> find(std::uint32_t security_id) const;
  /// A file's owner: its $SECURITY_DESCRIPTOR's, or else the one its security id names.
  /// Nothing when neither says. Throws what reading the attribute throws.
  std::optional<std::string> owner_of(const Volume& volume, const File& file) const;

 private:
  std::unordered_map<std::uint32_t, std::string> owners_;
};

}  // namespace diskimg::ntfs
