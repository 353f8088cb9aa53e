// diskimg.Error and its subclasses, one per C++ error class, and diskimg.DiskWarning. The
// subclasses also derive from the built-in exception a Python caller would catch for the
// same trouble: an IoError is an OSError, a NotFoundError a FileNotFoundError, a UsageError
// a ValueError (a ParentMismatchError too), an UnsupportedError a NotImplementedError, an OutOfMemoryError a MemoryError. Each raised error carries the
// C++ error's location as `structure` and `offset` (None when unknown).
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

py::object offset_of(const Location& where) {
  return where.offset ? py::object(py::int_(*where.offset)) : py::object(py::none());
}

// Raises `type` with the error's message, structure and offset, and `extra` attributes.
void raise(PyObject* type, const Error& error, const py::dict& extra = {}) {
  py::object instance = py::reinterpret_steal<py::object>(PyObject_CallFunction(type, "s", error.what()));
  if (!instance) return;  // PyObject_CallFunction set the error
  instance.attr("structure") = error.where().structure;
  instance.attr("offset") = offset_of(error.where());
  for (const auto& [name, value] : extra) py::setattr(instance, name, value);
  PyErr_SetObject(type, instance.ptr());
}

// The str subclass DiskWarning, made once and kept for the interpreter's life (a raw pointer:
// no static destructor touches Python after it has finalized).
PyObject* warning_type = nullptr;

}  // namespace

py::object make_warning(const Warning& warning) {
  py::object made = py::handle(warning_type)(warning.what);
  made.attr("structure") = warning.where.structure;
  made.attr("offset") = offset_of(warning.where);
  return made;
}

void bind_errors(py::module_& module) {
  static PyObject* const error = new_exception(
      module, "Error", py::make_tuple(py::handle(PyExc_Exception)),
      "Base of every diskimg error. The message names the structure, where it is and what is "
      "wrong; .structure and .offset say it as values (offset in bytes, or None).");
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
  static PyObject* const out_of_memory_error = new_exception(
      module, "OutOfMemoryError", py::make_tuple(py::handle(error), py::handle(PyExc_MemoryError)),
      "Memory could not be had for something sized from what was read; the message names it and the bytes.");
  static PyObject* const parent_mismatch_error = new_exception(
      module, "ParentMismatchError", py::make_tuple(py::handle(error), py::handle(PyExc_ValueError)),
      "An incremental conversion's parent does not describe the disk (its size, sector size, identifiers "
      "or partitions differ); .identity_only is True when allow_other_disk=True would accept it.");
  static PyObject* const cancelled_error = new_exception(
      module, "CancelledError", py::make_tuple(py::handle(error)),
      "A long operation was stopped by its progress callback (it returned False); nothing was left behind.");

  py::dict attributes;
  attributes["__module__"] = "diskimg";
  attributes["structure"] = "";
  attributes["offset"] = py::none();
  attributes["__doc__"] =
      "A warning: damage that was worked around. A str (the message) with .structure (what it "
      "concerns) and .offset (bytes, or None).";
  py::object type = py::module_::import("builtins").attr("type")(
      "DiskWarning", py::make_tuple(py::str().get_type()), attributes);
  module.attr("DiskWarning") = type;
  warning_type = type.release().ptr();

  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      std::rethrow_exception(thrown);
    } catch (const FormatError& e) {
      raise(format_error, e);
    } catch (const IoError& e) {
      raise(io_error, e);
    } catch (const UnsupportedError& e) {
      raise(unsupported_error, e);
    } catch (const NotFoundError& e) {
      raise(not_found_error, e);
    } catch (const OutputExistsError& e) {
      raise(usage_error, UsageError(std::string(e.what()) + "; pass force=True to replace it", e.where()));
    } catch (const VolumeChoiceError& e) {
      raise(usage_error, UsageError(std::string(e.what()) + "; choose one with volume=N", e.where()));
    } catch (const UsageError& e) {
      raise(usage_error, e);
    } catch (const ParentMismatchError& e) {
      py::dict extra;
      extra["identity_only"] = e.identity_only();
      raise(parent_mismatch_error, e, extra);
    } catch (const CancelledError& e) {
      raise(cancelled_error, e);
    } catch (const OutOfMemoryError& e) {
      raise(out_of_memory_error, e);
    } catch (const Error& e) {
      raise(error, e);
    } catch (const std::system_error& e) {  // std::filesystem and threads
      PyErr_SetString(io_error, e.what());
    }
  });
}

}  // namespace diskimg::python
