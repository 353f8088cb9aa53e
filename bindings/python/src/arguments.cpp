// Arguments as Python gives them: paths (str, bytes, os.PathLike, or a list of them) and
// sizes (an int of bytes, or a str as the command line takes it: "512K", "40G").
#include "bindings.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/core/size.hpp>

#include <fmt/format.h>

namespace diskimg::python {

std::filesystem::path to_path(py::handle object) {
  const py::object text = py::module_::import("os").attr("fsdecode")(object);
  return std::filesystem::path(text.cast<std::string>());
}

std::vector<std::filesystem::path> to_paths(py::handle object) {
  if (py::isinstance<py::str>(object) || py::isinstance<py::bytes>(object) ||
      py::hasattr(object, "__fspath__")) {
    return {to_path(object)};
  }
  std::vector<std::filesystem::path> paths;
  for (py::handle item : py::iter(object)) paths.push_back(to_path(item));
  return paths;
}

std::optional<std::uint64_t> to_size(py::handle object, std::string_view what) {
  if (object.is_none()) return std::nullopt;
  if (py::isinstance<py::str>(object)) return parse_size(object.cast<std::string>());
  if (!py::isinstance<py::int_>(object) || py::isinstance<py::bool_>(object)) {
    throw UsageError(fmt::format("{}: a size is an int of bytes or a str such as \"512K\" or \"40G\"", what));
  }
  if (object.cast<py::int_>() < py::int_(0)) throw UsageError(fmt::format("{}: a size is not negative", what));
  try {
    return object.cast<std::uint64_t>();
  } catch (const py::cast_error&) {
    throw UsageError(fmt::format("{}: {} bytes is too large", what, py::str(object).cast<std::string>()));
  }
}

}  // namespace diskimg::python
