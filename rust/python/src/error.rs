//! The one mapping from core errors to Python exceptions. The classes live in
//! `ferrogym/errors.py` so they can subclass Gymnasium's own errors.

use ferrogym_core::EnvError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

fn class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<Bound<'py, PyType>> {
    cell.import(py, "ferrogym.errors", name).cloned()
}

static INVALID_ACTION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INVALID_ACTION_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CONFIG_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static STATE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static RESET_NEEDED: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn raise(py: Python<'_>, cell: &'static PyOnceLock<Py<PyType>>, name: &str, msg: String) -> PyErr {
    match class(py, cell, name) {
        Ok(cls) => PyErr::from_type(cls, msg),
        Err(e) => e,
    }
}

/// Converts a core error into the matching ferrogym exception.
pub fn to_py(e: EnvError) -> PyErr {
    Python::attach(|py| {
        let msg = e.to_string();
        match e {
            EnvError::InvalidAction { .. } => raise(py, &INVALID_ACTION, "InvalidAction", msg),
            EnvError::InvalidConfig { .. } => raise(py, &CONFIG_ERROR, "ConfigError", msg),
            EnvError::InvalidState { .. } => raise(py, &STATE_ERROR, "StateError", msg),
            EnvError::ResetNeeded { .. } => raise(py, &RESET_NEEDED, "ResetNeeded", msg),
        }
    })
}

/// An action of the wrong Python type (a float, a string, an array...).
pub fn action_type(py: Python<'_>, env: &str, got: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    let ty = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    let repr = got
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".into());
    raise(
        py,
        &INVALID_ACTION_TYPE,
        "InvalidActionType",
        format!("{env}: invalid action {repr} of type {ty}; expected {expected}"),
    )
}

/// A keyword argument that does not fit the env's config.
pub fn config(py: Python<'_>, env: &str, detail: impl std::fmt::Display) -> PyErr {
    raise(
        py,
        &CONFIG_ERROR,
        "ConfigError",
        format!("{env}: invalid config: {detail}"),
    )
}

/// Runs `f`, turning a panic (a bug in ferrogym) into a Python RuntimeError
/// instead of letting it unwind across the FFI boundary.
pub fn guard<T>(env: &str, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "{env}: internal error in ferrogym ({what}); the env may be inconsistent, \
                 reset it; please report this as a bug"
            )))
        }
    }
}
