// Progress callbacks of long calls (convert, extract), which run without the GIL: each
// call takes the GIL, lets Python handle pending signals (Ctrl-C), then asks the Python
// callback. A Python exception, a KeyboardInterrupt or a False answer stops the work; the
// exception is kept for the caller to raise once the library has cleaned up.
#include "bindings.hpp"

namespace diskimg::python {

std::function<bool(std::uint64_t, std::uint64_t)> python_progress(py::object progress,
                                                                  std::optional<py::error_already_set>& raised) {
  return [progress = std::move(progress), &raised](std::uint64_t done, std::uint64_t total) {
    py::gil_scoped_acquire locked;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (progress.is_none()) return true;
      const py::object answer = progress(done, total);
      if (answer.is_none()) return true;
      const int go_on = PyObject_IsTrue(answer.ptr());
      if (go_on < 0) throw py::error_already_set();  // its __bool__ raised
      return go_on == 1;
    } catch (py::error_already_set& error) {
      raised.emplace(std::move(error));
      return false;
    }
  };
}

}  // namespace diskimg::python
