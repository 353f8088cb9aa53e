// fmt's compiled part, built here from Debian's libfmt-dev headers (format-inl.h) instead of
// linked from libfmt.so. Debian ships fmt only as a shared library, and a shared library
// that needs libstdc++.so keeps the tool from being linked statically: the dynamic loader
// was half the time of `diskimg ls -r` on a small volume (docs/benchmarks.md). This file is
// the one translation unit that compiles fmt's implementation; every other file includes
// fmt's headers as usual (not header-only, which would compile this in each of them).
// The explicit instantiations are those of fmt 9.1's own src/format.cc (char and wchar_t);
// fmt/os.h's compiled part (os.cc) is not here: nothing uses it.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API void buffer<char>::append(const char*, const char*);
template FMT_API void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
                                 locale_ref);

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;
template FMT_API void buffer<wchar_t>::append(const wchar_t*, const wchar_t*);

}  // namespace detail
FMT_END_NAMESPACE
