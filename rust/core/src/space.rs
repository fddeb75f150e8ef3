//! Spaces are declared here, once per environment; the Python layer builds
//! its `gymnasium.spaces` from these declarations and from nothing else.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DType {
    F32,
    F64,
    I64,
    U8,
}

impl DType {
    /// The numpy name of the dtype.
    pub fn numpy_name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::I64 => "int64",
            DType::U8 => "uint8",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Space {
    /// `gymnasium.spaces.Discrete(n, start=start)` with int64 samples.
    Discrete { n: i64, start: i64 },
    /// `gymnasium.spaces.Box(low, high, shape, dtype)`; `low`/`high` hold one
    /// bound per element (row-major), infinities allowed.
    Box {
        low: Vec<f64>,
        high: Vec<f64>,
        shape: Vec<usize>,
        dtype: DType,
    },
}

impl Space {
    pub fn discrete(n: i64) -> Self {
        Space::Discrete { n, start: 0 }
    }

    /// A Box with the same bounds for every element.
    pub fn uniform_box(low: f64, high: f64, shape: &[usize], dtype: DType) -> Self {
        let len = shape.iter().product();
        Space::Box {
            low: vec![low; len],
            high: vec![high; len],
            shape: shape.to_vec(),
            dtype,
        }
    }

    /// Number of scalar elements one sample of this space holds.
    pub fn flat_len(&self) -> usize {
        match self {
            Space::Discrete { .. } => 1,
            Space::Box { shape, .. } => shape.iter().product(),
        }
    }

    /// A short human description, used in error messages.
    pub fn describe(&self) -> String {
        match self {
            Space::Discrete { n, start } => {
                format!("an integer in [{start}, {}] (Discrete({n}))", start + n - 1)
            }
            Space::Box { shape, dtype, .. } => {
                format!(
                    "an array of shape {shape:?} and dtype {}",
                    dtype.numpy_name()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_len_is_product_of_shape() {
        let s = Space::uniform_box(0.0, 1.0, &[3, 4, 5], DType::F32);
        assert_eq!(s.flat_len(), 60);
        assert_eq!(Space::discrete(4).flat_len(), 1);
    }

    #[test]
    fn describe_names_the_range() {
        assert_eq!(
            Space::discrete(4).describe(),
            "an integer in [0, 3] (Discrete(4))"
        );
    }
}
