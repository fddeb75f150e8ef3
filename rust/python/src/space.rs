//! Core space declarations as plain dicts; `ferrogym/spaces.py` is the one
//! place that turns them into `gymnasium.spaces`.

use ferrogym_core::Space;
use pyo3::prelude::*;
use pyo3::types::PyDict;

pub fn to_dict<'py>(py: Python<'py>, space: &Space) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match space {
        Space::Discrete { n, start } => {
            d.set_item("kind", "discrete")?;
            d.set_item("n", n)?;
            d.set_item("start", start)?;
        }
        Space::Box {
            low,
            high,
            shape,
            dtype,
        } => {
            d.set_item("kind", "box")?;
            d.set_item("low", low)?;
            d.set_item("high", high)?;
            d.set_item("shape", shape)?;
            d.set_item("dtype", dtype.numpy_name())?;
        }
        Space::Tuple(parts) => {
            d.set_item("kind", "tuple")?;
            let items = parts
                .iter()
                .map(|p| to_dict(py, p))
                .collect::<PyResult<Vec<_>>>()?;
            d.set_item("spaces", items)?;
        }
    }
    Ok(d)
}
