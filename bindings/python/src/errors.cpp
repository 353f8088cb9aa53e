// diskimg.Error and its subclasses, one per C++ error class. The subclasses also derive from
// the built-in exception a Python caller would catch for the same trouble: an IoError is an
// OSError, a NotFoundError a FileNotFoundError, a UsageError a ValueError, an
// UnsupportedError a NotImplementedError.
#include "bindings.hpp"

#include <diskimg/core/error.hpp>

#include <system_error>

namespace diskimg::python {
namespace {

PyObject* new_exception(py::module_& module, const char* name, py::tuple bases, const char* doc) {
  const std::string qualified = std::string("diskimg.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  module.add_object(name, py::handle(type));  // the module holds a reference; so do we, for good
  return type;
}

}  // namespace

void bind_errors(py::module_& module) {
  static PyObject* const error = new_exception(
      module, "Error", py::make_tuple(py::handle(PyExc_Exception)),
      "Base of every diskimg error. The message names the structure, where it is and what is wrong.");
  static PyObject* const format_error = new_exception(
      module, "FormatError", py::make_tuple(py::handle(error)),
      "The bytes do not hold what the format says they must (signature, checksum, length, offset).");
  static PyObject* const io_error = new_exception(
      module, "IoError", py::make_tuple(py::handle(error), py::handle(PyExc_OSError)),
      "Reading or writing failed; the message names the file and offset.");
  static PyObject* const unsupported_error = new_exception(
      module, "UnsupportedError", py::make_tuple(py::handle(error), py::handle(PyExc_NotImplementedError)),
      "Well-formed input that diskimg does not handle, such as an encrypted stream.");
  static PyObject* const not_found_error = new_exception(
      module, "NotFoundError", py::make_tuple(py::handle(error), py::handle(PyExc_FileNotFoundError)),
      "A path, record or stream that was asked for does not exist.");
  static PyObject* const usage_error = new_exception(
      module, "UsageError", py::make_tuple(py::handle(error), py::handle(PyExc_ValueError)),
      "Arguments that cannot be used: a volume that does not exist, an existing output without force.");

  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      std::rethrow_exception(thrown);
    } catch (const FormatError& e) {
      PyErr_SetString(format_error, e.what());
    } catch (const IoError& e) {
      PyErr_SetString(io_error, e.what());
    } catch (const UnsupportedError& e) {
      PyErr_SetString(unsupported_error, e.what());
    } catch (const NotFoundError& e) {
      PyErr_SetString(not_found_error, e.what());
    } catch (const UsageError& e) {
      PyErr_SetString(usage_error, e.what());
    } catch (const Error& e) {
      PyErr_SetString(error, e.what());
    } catch (const std::system_error& e) {  // std::filesystem and threads
      PyErr_SetString(io_error, e.what());
    }
  });
}

}  // namespace diskimg::python
