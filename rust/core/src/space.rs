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
    /// `gymnasium.spaces.Tuple` of the parts. A sample is stored flat: the
    /// parts' elements one after the other, all of the env's `Obs` type
    /// (e.g. Blackjack's three Discretes as three `i64`); the Python layer
    /// rebuilds the tuple from the declaration.
    Tuple(Vec<Space>),
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
            Space::Tuple(parts) => parts.iter().map(Space::flat_len).sum(),
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
            Space::Tuple(parts) => {
                let inner: Vec<String> = parts.iter().map(Space::describe).collect();
                format!("a tuple of ({})", inner.join(", "))
            }
        }
    }
}

/// One named slice of a flat observation, in order: how an env documents
/// its observation (`obs_layout` in Python) and builds its Box bounds from
/// the same declaration (`Space::from_layout`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObsField {
    pub name: String,
    /// Shape of the slice (its elements are contiguous, row-major).
    pub shape: Vec<usize>,
    pub low: f64,
    pub high: f64,
    /// Names of the entries along the last axis (may be empty).
    pub labels: Vec<String>,
    pub doc: String,
}

impl ObsField {
    pub fn new(
        name: &str,
        shape: &[usize],
        low: f64,
        high: f64,
        labels: &[&str],
        doc: &str,
    ) -> Self {
        ObsField {
            name: name.to_string(),
            shape: shape.to_vec(),
            low,
            high,
            labels: labels.iter().map(|s| s.to_string()).collect(),
            doc: doc.to_string(),
        }
    }

    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Space {
    /// A flat Box of `dtype` whose bounds are those of the layout's slices.
    pub fn from_layout(fields: &[ObsField], dtype: DType) -> Self {
        let mut low = Vec::new();
        let mut high = Vec::new();
        for f in fields {
            low.extend(std::iter::repeat_n(f.low, f.len()));
            high.extend(std::iter::repeat_n(f.high, f.len()));
        }
        let n = low.len();
        Space::Box {
            low,
            high,
            shape: vec![n],
            dtype,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_box_concatenates_slices() {
        let fields = [
            ObsField::new("a", &[2], 0.0, 1.0, &[], ""),
            ObsField::new("b", &[2, 3], -1.0, 1.0, &[], ""),
        ];
        let Space::Box {
            low, high, shape, ..
        } = Space::from_layout(&fields, DType::F32)
        else {
            panic!("not a box")
        };
        assert_eq!(shape, vec![8]);
        assert_eq!(low[1], 0.0);
        assert_eq!(low[2], -1.0);
        assert_eq!(high[7], 1.0);
    }

    #[test]
    fn flat_len_is_product_of_shape() {
        let s = Space::uniform_box(0.0, 1.0, &[3, 4, 5], DType::F32);
        assert_eq!(s.flat_len(), 60);
        assert_eq!(Space::discrete(4).flat_len(), 1);
        let t = Space::Tuple(vec![Space::discrete(3), s, Space::discrete(2)]);
        assert_eq!(t.flat_len(), 62);
    }

    #[test]
    fn describe_names_the_range() {
        assert_eq!(
            Space::discrete(4).describe(),
            "an integer in [0, 3] (Discrete(4))"
        );
    }
}
