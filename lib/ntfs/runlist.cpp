#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/runlist.hpp>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

std::uint64_t read_unsigned(std::span<const std::byte> bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) value = (value << 8) | std::to_integer<unsigned>(bytes[i]);
  return value;
}

std::int64_t read_signed(std::span<const std::byte> bytes) {
  std::uint64_t value = read_unsigned(bytes);
  const unsigned bits = static_cast<unsigned>(bytes.size() * 8);
  if (bits < 64 && (value >> (bits - 1)) != 0) value |= ~std::uint64_t{0} << bits;  // sign-extend
  return static_cast<std::int64_t>(value);
}

}  // namespace

Runlist decode_runlist(std::span<const std::byte> pairs, std::uint64_t first_vcn,
                       std::uint64_t total_clusters) {
  Runlist runs;
  std::uint64_t vcn = first_vcn;
  std::int64_t lcn = 0;
  std::size_t at = 0;
  while (at < pairs.size() && pairs[at] != std::byte{0}) {
    const unsigned header = std::to_integer<unsigned>(pairs[at]);
    const unsigned length_size = header & 0x0F;
    const unsigned offset_size = header >> 4;
    if (length_size == 0 || length_size > 8 || offset_size > 8) {
      throw FormatError(fmt::format("runlist: header byte {:#04x} at offset {} has field sizes "
                                    "{} and {}", header, at, length_size, offset_size), Location{"mapping pairs", at});
    }
    if (pairs.size() - at - 1 < length_size + offset_size) {
      throw FormatError(fmt::format("runlist: run at offset {} runs past the mapping pairs", at), Location{"mapping pairs", at});
    }
    const std::uint64_t length = read_unsigned(pairs.subspan(at + 1, length_size));
    if (length == 0 || static_cast<std::int64_t>(length) < 0) {
      throw FormatError(fmt::format("runlist: run at offset {} has length {}", at, length), Location{"mapping pairs", at});
    }
    if (vcn + length < vcn) {
      throw FormatError(fmt::format("runlist: run at offset {} overflows the VCN range", at), Location{"mapping pairs", at});
    }
    Run run{vcn, std::nullopt, length};
    if (offset_size != 0) {
      const std::int64_t delta = read_signed(pairs.subspan(at + 1 + length_size, offset_size));
      if ((delta > 0 && lcn > INT64_MAX - delta) || (delta < 0 && lcn < INT64_MIN - delta)) {
        throw FormatError(fmt::format("runlist: LCN delta at offset {} overflows", at), Location{"mapping pairs", at});
      }
      lcn += delta;
      // NTFS 1.2 may mark a hole with LCN -1 rather than an empty offset field.
      if (lcn == -1) {
        runs.push_back(run);
        vcn += length;
        at += 1 + length_size + offset_size;
        continue;
      }
      if (lcn < 0 || static_cast<std::uint64_t>(lcn) >= total_clusters ||
          length > total_clusters - static_cast<std::uint64_t>(lcn)) {
        throw FormatError(fmt::format(
            "runlist: run at offset {} (LCN {}, {} clusters) lies outside the volume ({} "
            "clusters)", at, lcn, length, total_clusters), Location{"mapping pairs", at});
      }
      run.lcn = static_cast<std::uint64_t>(lcn);
    }
    runs.push_back(run);
    vcn += length;
    at += 1 + length_size + offset_size;
  }
  return runs;
}

}  // namespace diskimg::ntfs
