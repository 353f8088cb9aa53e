/// @file
/// Flag words read from disk, typed by the enum that names their bits.
#pragma once

#include <type_traits>

namespace diskimg {

/// A flag word whose bits an `enum class` names: `flags.has(AttributeFlag::sparse)` instead
/// of `(flags & 0x8000) != 0`. Bits the enum does not name are kept, so a value read from
/// disk survives unchanged. A plain value: copy it freely, from any thread.
template <class Enum>
class Flags {
 public:
  /// The integer type of the word: the enum's underlying type.
  using Bits = std::underlying_type_t<Enum>;

  /// No bit set.
  constexpr Flags() = default;
  /// The word as it lies on disk.
  constexpr explicit Flags(Bits bits) : bits_(bits) {}

  /// Whether any bit of `flag` is set (a mask such as a compression-method field counts
  /// when any of its bits is).
  constexpr bool has(Enum flag) const { return (bits_ & static_cast<Bits>(flag)) != 0; }
  /// The word as it lies on disk.
  constexpr Bits bits() const { return bits_; }

  /// Equal when every bit is, named or not.
  constexpr bool operator==(const Flags&) const = default;

 private:
  Bits bits_ = 0;
};

}  // namespace diskimg
