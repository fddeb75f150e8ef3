//! ferrogym-core: environment dynamics, spaces, seeding and the batched
//! executor. Pure Rust: the Python bindings live in the `ferrogym-python`
//! crate and only convert values.

pub mod batch;
pub mod env;
pub mod envs;
pub mod error;
pub mod prefetch;
pub mod render;
pub mod rng;
pub mod space;
pub mod workers;

pub use batch::{AutoresetMode, Batch, BatchStep};
pub use env::{Env, InfoGroup, Step, Table};
pub use error::EnvError;
pub use render::Frame;
pub use rng::Rng;
pub use space::{DType, ObsField, Space};
