// What the tests must know about the sanitizer they run under.
#pragma once

namespace diskimg::testing {

// ASan's operator new reports an allocation it cannot satisfy and aborts instead of throwing
// std::bad_alloc, so the library's OutOfMemoryError cannot be seen under it.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool under_address_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool under_address_sanitizer = true;
#else
inline constexpr bool under_address_sanitizer = false;
#endif
#else
inline constexpr bool under_address_sanitizer = false;
#endif

}  // namespace diskimg::testing
