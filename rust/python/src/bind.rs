//! Generic glue between a core `Env` and Python: config from keyword
//! arguments, actions from Python objects, fresh numpy arrays out. The
//! `bind_env!` macro declares the two classes of one env over these helpers,
//! so a new env costs one macro line.

use ferrogym_core::{AutoresetMode, Env, EnvError};
use numpy::{Element, IxDyn, PyArray, PyArray1, PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::error;
use crate::value::Value;

/// Builds an env config from Python keyword arguments (serde via pythonize,
/// so unknown or mistyped fields are reported by name).
pub fn config<E: Env>(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<E::Config> {
    match kwargs {
        None => Ok(E::Config::default()),
        Some(d) if d.is_empty() => Ok(E::Config::default()),
        Some(d) => {
            from_py_named::<E::Config>(d.as_any()).map_err(|e| error::config(py, E::NAME, e))
        }
    }
}

/// Deserialises Python data, naming the field at fault (`slip`: invalid type...).
/// Types are exact (see `value.rs`): `NaN` is not a bool, `True` not a number.
pub fn from_py_named<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>) -> Result<T, String> {
    from_value_named(to_value(obj)?)
}

/// The Python object as a tree of its exact types.
fn to_value(obj: &Bound<'_, PyAny>) -> Result<Value, String> {
    let mut de = pythonize::Depythonizer::from_object(obj);
    serde::Deserialize::deserialize(&mut de).map_err(|e: pythonize::PythonizeError| e.to_string())
}

fn from_value_named<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("`{path}`: {inner}")
        }
    })
}

/// How an action arrives from Python, alone (`from_py`) or one per sub-env
/// (`with_batch`). Implemented for `i64` (Discrete spaces) and for `[f32; N]`
/// (Box spaces of shape `(N,)`); a new action type is one more impl here.
pub trait PyAction: Sized + Copy + Send + Sync {
    fn from_py(py: Python<'_>, env: &'static str, obj: &Bound<'_, PyAny>) -> PyResult<Self>;

    /// Runs `f` over the `n` actions in `obj`, borrowing numpy's buffer (no
    /// copy); anything but a C-contiguous array of exactly the right dtype
    /// and shape raises `InvalidActionType` (the Python layer converts once
    /// and retries, so the fast path stays a borrow).
    fn with_batch<R>(
        py: Python<'_>,
        env: &'static str,
        obj: &Bound<'_, PyAny>,
        n: usize,
        f: impl FnOnce(&[Self]) -> PyResult<R>,
    ) -> PyResult<R>;
}

impl PyAction for i64 {
    #[inline]
    fn from_py(py: Python<'_>, env: &'static str, obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        // `extract::<i64>` goes through `__index__`: ints, numpy integers and
        // 0-d integer arrays pass; floats, strings and 1-element arrays do
        // not, and neither does `True` (an int to Python, not an action).
        let expected = "an integer (int or numpy integer scalar)";
        if obj.is_instance_of::<pyo3::types::PyBool>() {
            return Err(error::action_type(py, env, obj, expected));
        }
        obj.extract::<i64>()
            .map_err(|_| error::action_type(py, env, obj, expected))
    }

    #[inline]
    fn with_batch<R>(
        py: Python<'_>,
        env: &'static str,
        obj: &Bound<'_, PyAny>,
        _n: usize,
        f: impl FnOnce(&[Self]) -> PyResult<R>,
    ) -> PyResult<R> {
        if let Ok(arr) = obj.cast::<PyArray1<i64>>() {
            let ro = arr.try_readonly()?;
            return f(ro.as_slice()?);
        }
        // int32 is what RLlib and torch-based samplers hand over: widen it
        // here rather than fail into the Python layer's conversion and retry.
        if let Ok(arr) = obj.cast::<PyArray1<i32>>() {
            let ro = arr.try_readonly()?;
            let wide: Vec<i64> = ro.as_slice()?.iter().map(|&a| i64::from(a)).collect();
            return f(&wide);
        }
        Err(error::action_type(
            py,
            env,
            obj,
            "a 1-d int64 numpy array with one action per sub-env",
        ))
    }
}

/// A Box action of shape `(N,)`: float32 values (other numeric arrays and
/// sequences are converted to float32, the space's dtype). Range and NaN are
/// the env's `check_action`'s business, so each env can clip or reject as
/// its reference does.
impl<const N: usize> PyAction for [f32; N] {
    fn from_py(py: Python<'_>, env: &'static str, obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let expected = || format!("a float32 array of shape ({N},)");
        if let Ok(arr) = obj.cast::<PyArray1<f32>>() {
            if let Ok(ro) = arr.try_readonly() {
                if let Ok(v) = ro.as_slice() {
                    if let Ok(a) = <[f32; N]>::try_from(v) {
                        return Ok(a);
                    }
                }
            }
        }
        // Slow path: lists, float64 arrays, non-contiguous views. Strings,
        // objects and wrong shapes are rejected by name.
        let np = py.import("numpy")?;
        let conv = np
            .call_method1("asarray", (obj,))
            .ok()
            .filter(|a| {
                a.getattr("dtype")
                    .and_then(|d| d.getattr("kind"))
                    .and_then(|k| k.extract::<String>())
                    .is_ok_and(|k| "iuf".contains(k.as_str()))
            })
            .ok_or_else(|| error::action_type(py, env, obj, &expected()))?;
        let v: Vec<f64> = conv
            .call_method0("ravel")
            .and_then(|r| r.extract::<Vec<f64>>())
            .map_err(|_| error::action_type(py, env, obj, &expected()))?;
        let shape: Vec<usize> = conv.getattr("shape")?.extract()?;
        if shape != [N] {
            return Err(error::action_type(
                py,
                env,
                obj,
                &format!("{} (got shape {shape:?})", expected()),
            ));
        }
        let mut a = [0f32; N];
        for (x, y) in a.iter_mut().zip(v) {
            *x = y as f32;
        }
        Ok(a)
    }

    fn with_batch<R>(
        py: Python<'_>,
        env: &'static str,
        obj: &Bound<'_, PyAny>,
        n: usize,
        f: impl FnOnce(&[Self]) -> PyResult<R>,
    ) -> PyResult<R> {
        let bad = || {
            error::action_type(
                py,
                env,
                obj,
                &format!(
                    "a C-contiguous float32 numpy array of shape ({n}, {N}), one row per sub-env"
                ),
            )
        };
        let arr = obj.cast::<numpy::PyArray2<f32>>().map_err(|_| bad())?;
        let ro = arr.try_readonly()?;
        if numpy::PyUntypedArrayMethods::shape(arr) != [n, N] {
            return Err(bad());
        }
        let flat = ro.as_slice().map_err(|_| bad())?;
        let (rows, rest) = flat.as_chunks::<N>();
        if !rest.is_empty() {
            return Err(bad());
        }
        f(rows)
    }
}

/// The env's state as plain Python data (dicts, lists, numbers).
pub fn state_to_py<'py, E: Env>(py: Python<'py>, env: &E) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, &env.state()).map_err(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!(
            "{}: cannot convert state ({e})",
            E::NAME
        ))
    })
}

/// Restores a state from `state_to_py`'s form, validated by the env.
/// Nothing changes unless the whole state is accepted.
pub fn state_from_py<E: Env>(
    py: Python<'_>,
    env: &mut E,
    state: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let s: E::State = parse_state(py, E::NAME, state)?;
    error::guard(E::NAME, || env.set_state(s).map_err(core_err))
}

/// A state read from Python data; a key the state type does not have is
/// refused (serde alone would ignore it), so that a misspelt key cannot
/// pass for a restored value.
pub fn parse_state<S: serde::Serialize + serde::de::DeserializeOwned>(
    py: Python<'_>,
    env: &'static str,
    state: &Bound<'_, PyAny>,
) -> PyResult<S> {
    let bad = |e: String| {
        error::to_py(EnvError::state(
            env,
            format!("{e}; expected a dict from get_state()"),
        ))
    };
    let given = to_value(state).map_err(bad)?;
    let s: S = from_value_named(given.clone()).map_err(bad)?;
    let back = pythonize::pythonize(py, &s)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("{env}: {e}")))?;
    let kept = to_value(&back).map_err(bad)?;
    if let Some(key) = given.first_unknown_key(&kept, "") {
        return Err(bad(format!("unknown key `{key}`")));
    }
    Ok(s)
}

/// An env's info group keys and value names as Python strings, made once
/// per env object: a single step's info dict then creates only its values
/// (new key strings would be allocated and hashed on every step).
pub struct InfoKeys {
    groups: Vec<(Py<PyString>, Vec<Py<PyString>>)>,
    width: usize,
}

impl InfoKeys {
    pub fn new<E: Env>(py: Python<'_>, env: &E) -> Self {
        let groups: Vec<_> = env
            .info_groups()
            .iter()
            .map(|g| {
                let names: Vec<_> = g
                    .names
                    .iter()
                    .map(|n| PyString::intern(py, n).unbind())
                    .collect();
                (PyString::intern(py, g.key).unbind(), names)
            })
            .collect();
        let width = groups.iter().map(|(_, names)| names.len()).sum();
        InfoKeys { groups, width }
    }
}

/// Info values of envs with few of them are read into a stack buffer.
const INFO_STACK: usize = 32;

/// The env's named info values as `{group: {name: value}}` (empty when the
/// env reports none, without touching its state).
pub fn info_dict<'py, E: Env>(
    py: Python<'py>,
    env: &E,
    keys: &InfoKeys,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    if keys.groups.is_empty() {
        return Ok(d);
    }
    let mut stack = [0.0; INFO_STACK];
    let mut heap = Vec::new();
    let values: &mut [f64] = if keys.width <= INFO_STACK {
        &mut stack[..keys.width]
    } else {
        heap.resize(keys.width, 0.0);
        &mut heap
    };
    env.info_values(values);
    let mut k = 0;
    for (key, names) in &keys.groups {
        let sub = PyDict::new(py);
        for name in names {
            sub.set_item(name.bind(py), values[k])?;
            k += 1;
        }
        d.set_item(key.bind(py), sub)?;
    }
    Ok(d)
}

/// Gymnasium's vector info layout for named groups: `{group: {name:
/// float64[n], "_name": bool[n]}, "_group": bool[n]}` with `mask` as every
/// mask; `values` holds each sub-env's values over all the groups, env-major
/// (`values.len() / n` per env), read only where `mask[i]` (0 elsewhere).
fn vector_info_groups<'py>(
    py: Python<'py>,
    groups: &[ferrogym_core::InfoGroup],
    mask: &[bool],
    values: &[f64],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let n = mask.len();
    let width = values.len() / n.max(1);
    let mut k = 0;
    for g in groups {
        let sub = PyDict::new(py);
        for name in g.names {
            // One column: value k of every env (a strided read of the rows,
            // which at a batch of 1024 costs less than the array itself).
            let col = new_array::<f64>(py, &[n], |c| {
                let rows = values.chunks_exact(width);
                for ((v, row), &m) in c.iter_mut().zip(rows).zip(mask) {
                    *v = if m { row[k] } else { 0.0 };
                }
            })?;
            sub.set_item(*name, col)?;
            sub.set_item(
                format!("_{name}"),
                new_array::<bool>(py, &[n], |m| m.copy_from_slice(mask))?,
            )?;
            k += 1;
        }
        d.set_item(g.key, sub)?;
        d.set_item(
            format!("_{}", g.key),
            new_array::<bool>(py, &[n], |m| m.copy_from_slice(mask))?,
        )?;
    }
    Ok(d)
}

/// Batched info values after a step, or `{}`. Only the sub-envs in `present`
/// have values: the others were just reset and, as in `SyncVectorEnv`,
/// report a reset's empty info (mask false, value 0).
pub fn batch_info_dict<'py, E: Env>(
    py: Python<'py>,
    batch: &ferrogym_core::Batch<E>,
    present: &[bool],
) -> PyResult<Bound<'py, PyDict>> {
    let groups = batch.env(0).info_groups();
    if groups.is_empty() || !present.contains(&true) {
        return Ok(PyDict::new(py));
    }
    // Gathered by the step itself, while each env was in cache.
    vector_info_groups(py, groups, present, batch.infos())
}

/// Info values of the sub-envs that ended in the last step (SAME_STEP),
/// with `done` as the masks.
pub fn batch_final_info_dict<'py, E: Env>(
    py: Python<'py>,
    batch: &ferrogym_core::Batch<E>,
    done: &[bool],
) -> PyResult<Bound<'py, PyDict>> {
    vector_info_groups(py, batch.env(0).info_groups(), done, batch.final_infos())
}

/// The observation layout as a list of dicts (name, start, shape, low, high,
/// labels, doc).
pub fn layout_list<'py>(
    py: Python<'py>,
    fields: &[ferrogym_core::ObsField],
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let out = pyo3::types::PyList::empty(py);
    let mut start = 0;
    for f in fields {
        let d = PyDict::new(py);
        d.set_item("name", &f.name)?;
        d.set_item("start", start)?;
        d.set_item("shape", f.shape.clone())?;
        d.set_item("low", f.low)?;
        d.set_item("high", f.high)?;
        d.set_item("labels", f.labels.clone())?;
        d.set_item("doc", &f.doc)?;
        out.append(d)?;
        start += f.len();
    }
    Ok(out)
}

/// The resolved config as plain Python values, or None.
pub fn effective_config<'py, E: Env>(py: Python<'py>, env: &E) -> PyResult<Bound<'py, PyAny>> {
    match env.effective_config() {
        None => Ok(py.None().into_bound(py)),
        Some(cfg) => pythonize::pythonize(py, &cfg)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("{}: {e}", E::NAME))),
    }
}

/// `{table: {column: float64 array}}` from `Env::episode_log`.
pub fn episode_log<'py, E: Env>(py: Python<'py>, env: &E) -> PyResult<Bound<'py, PyDict>> {
    tables_to_py(py, env.episode_log())
}

/// `{table: {column: float64 array}}` from named tables.
pub fn tables_to_py<'py>(
    py: Python<'py>,
    tables: Vec<(&'static str, ferrogym_core::env::Table)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, table) in tables {
        let t = PyDict::new(py);
        for (col, values) in table {
            t.set_item(
                col,
                new_array::<f64>(py, &[values.len()], |c| c.copy_from_slice(&values))?,
            )?;
        }
        d.set_item(name, t)?;
    }
    Ok(d)
}

pub fn core_err(e: EnvError) -> PyErr {
    error::to_py(e)
}

/// A new uninitialised numpy array of `shape`, filled by `fill` before any
/// Python code can see it.
pub fn new_array<'py, T: Element>(
    py: Python<'py>,
    shape: &[usize],
    fill: impl FnOnce(&mut [T]),
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    // SAFETY: the array is fresh and C-contiguous, nobody else holds it, and
    // `fill` writes every element before it is returned.
    let arr = unsafe { PyArray::<T, IxDyn>::new(py, shape, false) };
    fill(unsafe { arr.as_slice_mut()? });
    Ok(arr)
}

pub fn parse_mode(py: Python<'_>, env: &str, mode: &str) -> PyResult<AutoresetMode> {
    match mode {
        "NextStep" => Ok(AutoresetMode::NextStep),
        "SameStep" => Ok(AutoresetMode::SameStep),
        "Disabled" => Ok(AutoresetMode::Disabled),
        other => Err(error::config(
            py,
            env,
            format!("autoreset_mode {other:?}; expected one of \"NextStep\", \"SameStep\", \"Disabled\" (gymnasium.vector.AutoresetMode)"),
        )),
    }
}

pub fn check_index(env: &str, i: usize, n: usize) -> PyResult<()> {
    if i < n {
        Ok(())
    } else {
        Err(pyo3::exceptions::PyIndexError::new_err(format!(
            "{env}: sub-env index {i} out of range for a batch of {n}"
        )))
    }
}

pub fn bool_mask<'a>(
    env: &str,
    mask: &'a Bound<'_, PyArray1<bool>>,
    n: usize,
) -> PyResult<numpy::PyReadonlyArray1<'a, bool>> {
    let ro = mask.try_readonly()?;
    if ro.len()? != n {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{env}: reset_mask has length {}; expected one entry per sub-env ({n})",
            ro.len()?
        )));
    }
    Ok(ro)
}

/// Declares `$single` (one env) and `$batch` (the batched executor) Python
/// classes for the core env type `$env`.
#[macro_export]
macro_rules! bind_env {
    ($env:ty, $single:ident, $batch:ident) => {
        #[pyo3::pyclass(module = "ferrogym._core")]
        pub struct $single {
            env: $env,
            obs_shape: Vec<usize>,
            info_keys: $crate::bind::InfoKeys,
            /// No reset (or set_state) yet: `step` is refused, as
            /// Gymnasium's own envs refuse it.
            needs_reset: bool,
        }

        #[pyo3::pymethods]
        impl $single {
            #[new]
            #[pyo3(signature = (**kwargs))]
            fn new(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                let cfg = $crate::bind::config::<$env>(py, kwargs)?;
                let env = $crate::error::guard(<$env as Env>::NAME, || {
                    <$env as Env>::new(&cfg).map_err($crate::bind::core_err)
                })?;
                let obs_shape = $crate::bind::shape_of(&env.observation_space());
                let info_keys = $crate::bind::InfoKeys::new(py, &env);
                Ok(Self { env, obs_shape, info_keys, needs_reset: true })
            }

            /// The config's defaults as plain Python data (the source of truth
            /// for the Python config dataclasses).
            #[staticmethod]
            fn default_config(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
                pythonize::pythonize(py, &<<$env as Env>::Config as Default>::default()).map_err(|e| {
                    pyo3::exceptions::PyRuntimeError::new_err(format!("{}: {e}", <$env as Env>::NAME))
                })
            }

            /// The env's named lists (`Env::names`: action names, scenario
            /// names...) as `{list: [name, ...]}`, for the Python layer to derive from.
            #[staticmethod]
            fn names(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
                let out = PyDict::new(py);
                for (key, names) in <$env as Env>::names() {
                    out.set_item(*key, names.to_vec())?;
                }
                Ok(out)
            }

            fn observation_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                $crate::space::to_dict(py, &self.env.observation_space())
            }

            fn action_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                $crate::space::to_dict(py, &self.env.action_space())
            }

            fn seed(&mut self, seed: u64) {
                self.env.seed(seed);
            }

            fn reset<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<<$env as Env>::Obs>>> {
                let env = &mut self.env;
                let obs = $crate::error::guard(<$env as Env>::NAME, || {
                    $crate::bind::new_array(py, &self.obs_shape, |o| env.reset(o))
                })?;
                self.needs_reset = false;
                Ok(obs)
            }

            /// Returns `(obs, reward, terminated, truncated, info)`.
            fn step<'py>(
                &mut self,
                py: Python<'py>,
                action: &Bound<'py, PyAny>,
            ) -> PyResult<(Bound<'py, PyArrayDyn<<$env as Env>::Obs>>, f64, bool, bool, Bound<'py, PyDict>)> {
                let name = <$env as Env>::NAME;
                if self.needs_reset {
                    return Err($crate::bind::core_err(ferrogym_core::EnvError::ResetNeeded {
                        env: name,
                        reason: "step() before reset(); call reset() first".into(),
                    }));
                }
                let a = <<$env as Env>::Action as $crate::bind::PyAction>::from_py(py, name, action)?;
                self.env.check_action(a).map_err($crate::bind::core_err)?;
                let env = &mut self.env;
                let keys = &self.info_keys;
                $crate::error::guard(name, || {
                    let mut s = ferrogym_core::Step::default();
                    let obs = $crate::bind::new_array(py, &self.obs_shape, |o| s = env.step(a, o))?;
                    let info = $crate::bind::info_dict(py, &*env, keys)?;
                    Ok((obs, s.reward, s.terminated, s.truncated, info))
                })
            }

            fn action_mask<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<bool>>> {
                let n = $crate::bind::n_actions(&self.env.action_space());
                $crate::bind::new_array(py, &[n], |m| self.env.action_mask(m))
            }

            /// The observation slice by slice (empty if the env does not declare it).
            fn obs_layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyList>> {
                $crate::bind::layout_list(py, &self.env.obs_layout())
            }

            /// The config with presets resolved, or None.
            fn effective_config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::bind::effective_config(py, &self.env)
            }

            /// Tables describing the episode so far (`{table: {column: array}}`).
            fn episode_log<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                $crate::bind::episode_log(py, &self.env)
            }

            fn get_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::bind::state_to_py::<$env>(py, &self.env)
            }

            /// Replaces the config (full keyword arguments) from the next
            /// reset on; envs that do not support it raise ConfigError.
            #[pyo3(signature = (**kwargs))]
            fn reconfigure(&mut self, py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
                let cfg = $crate::bind::config::<$env>(py, kwargs)?;
                let env = &mut self.env;
                $crate::error::guard(<$env as Env>::NAME, || env.reconfigure(&cfg).map_err($crate::bind::core_err))
            }

            fn set_state(&mut self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
                $crate::bind::state_from_py(py, &mut self.env, state)?;
                self.needs_reset = false;
                Ok(())
            }

            fn render_ansi(&self) -> PyResult<String> {
                $crate::error::guard(<$env as Env>::NAME, || Ok(self.env.render_ansi()))
            }

            fn render_rgb<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
                let f = $crate::error::guard(<$env as Env>::NAME, || Ok(self.env.render_rgb()))?;
                $crate::bind::new_array(py, &[f.height, f.width, 3], |p| p.copy_from_slice(&f.pixels))
            }
        }

        #[pyo3::pyclass(module = "ferrogym._core")]
        pub struct $batch {
            batch: ferrogym_core::Batch<$env>,
            obs_shape: Vec<usize>,
            n_actions: usize,
        }

        #[pyo3::pymethods]
        impl $batch {
            #[new]
            #[pyo3(signature = (num_envs, autoreset_mode="NextStep", max_episode_steps=None, threads=1, grain=1024, **kwargs))]
            fn new(
                py: Python<'_>,
                num_envs: usize,
                autoreset_mode: &str,
                max_episode_steps: Option<u32>,
                threads: usize,
                grain: usize,
                kwargs: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Self> {
                let name = <$env as Env>::NAME;
                let mode = $crate::bind::parse_mode(py, name, autoreset_mode)?;
                let cfg = $crate::bind::config::<$env>(py, kwargs)?;
                let batch = $crate::error::guard(name, || {
                    ferrogym_core::Batch::<$env>::new(&cfg, num_envs, mode, max_episode_steps, threads, grain)
                        .map_err($crate::bind::core_err)
                })?;
                let obs_shape = $crate::bind::shape_of(&batch.env(0).observation_space());
                let n_actions = $crate::bind::n_actions(&batch.env(0).action_space());
                Ok(Self { batch, obs_shape, n_actions })
            }

            #[getter]
            fn num_envs(&self) -> usize {
                self.batch.num_envs()
            }

            fn observation_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                $crate::space::to_dict(py, &self.batch.env(0).observation_space())
            }

            fn action_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                $crate::space::to_dict(py, &self.batch.env(0).action_space())
            }

            /// Seeds sub-env `indices[k]` with `seeds[k]`.
            fn seed(&mut self, indices: Vec<usize>, seeds: Vec<u64>) -> PyResult<()> {
                let n = self.batch.num_envs();
                for (&i, &s) in indices.iter().zip(&seeds) {
                    $crate::bind::check_index(<$env as Env>::NAME, i, n)?;
                    self.batch.seed(i, s);
                }
                Ok(())
            }

            /// Resets the sub-envs selected by `mask` (all when None) and
            /// returns the observations; with `out`, rows not reset are
            /// taken from it.
            #[pyo3(signature = (mask=None, out=None))]
            fn reset<'py>(
                &mut self,
                py: Python<'py>,
                mask: Option<&Bound<'py, PyArray1<bool>>>,
                out: Option<&Bound<'py, PyArrayDyn<<$env as Env>::Obs>>>,
            ) -> PyResult<Bound<'py, PyArrayDyn<<$env as Env>::Obs>>> {
                let name = <$env as Env>::NAME;
                let n = self.batch.num_envs();
                let mut shape = vec![n];
                shape.extend_from_slice(&self.obs_shape);
                let mask = mask.map(|m| $crate::bind::bool_mask(name, m, n)).transpose()?;
                let mask_slice = mask.as_ref().map(|m| m.as_slice()).transpose()?;
                let batch = &mut self.batch;
                $crate::error::guard(name, || {
                    let prev = out.map(|o| o.to_vec()).transpose()?;
                    $crate::bind::new_array(py, &shape, |o| {
                        if let Some(prev) = &prev {
                            if prev.len() == o.len() {
                                o.copy_from_slice(prev);
                            }
                        }
                        batch.reset(mask_slice, o)
                    })
                })
            }

            /// Steps every sub-env; returns fresh `(obs, rewards, terminated, truncated)`.
            #[allow(clippy::type_complexity)]
            fn step<'py>(
                &mut self,
                py: Python<'py>,
                actions: &Bound<'py, PyAny>,
            ) -> PyResult<(
                Bound<'py, PyArrayDyn<<$env as Env>::Obs>>,
                Bound<'py, PyArrayDyn<f64>>,
                Bound<'py, PyArrayDyn<bool>>,
                Bound<'py, PyArrayDyn<bool>>,
            )> {
                let name = <$env as Env>::NAME;
                let n = self.batch.num_envs();
                let mut shape = vec![n];
                shape.extend_from_slice(&self.obs_shape);
                let obs = unsafe { PyArray::<<$env as Env>::Obs, numpy::IxDyn>::new(py, shape.as_slice(), false) };
                let rew = unsafe { PyArray::<f64, numpy::IxDyn>::new(py, [n].as_slice(), false) };
                let term = unsafe { PyArray::<bool, numpy::IxDyn>::new(py, [n].as_slice(), false) };
                let trunc = unsafe { PyArray::<bool, numpy::IxDyn>::new(py, [n].as_slice(), false) };
                <<$env as Env>::Action as $crate::bind::PyAction>::with_batch(py, name, actions, n, |acts| {
                    // SAFETY: the four arrays were just created and are held
                    // only here; every element is written by `Batch::step`.
                    let out = ferrogym_core::BatchStep {
                        obs: unsafe { obs.as_slice_mut()? },
                        rewards: unsafe { rew.as_slice_mut()? },
                        terminated: unsafe { term.as_slice_mut()? },
                        truncated: unsafe { trunc.as_slice_mut()? },
                    };
                    let batch = &mut self.batch;
                    $crate::error::guard(name, || {
                        py.detach(|| batch.step(acts, out)).map_err($crate::bind::core_err)
                    })
                })?;
                Ok((obs, rew, term, trunc))
            }

            /// Terminal observations (SAME_STEP) of the sub-envs in `indices`.
            fn final_obs<'py>(&self, py: Python<'py>, indices: Vec<usize>) -> PyResult<Bound<'py, PyArrayDyn<<$env as Env>::Obs>>> {
                let n = self.batch.num_envs();
                for &i in &indices {
                    $crate::bind::check_index(<$env as Env>::NAME, i, n)?;
                }
                let ol = self.batch.obs_len();
                let mut shape = vec![indices.len()];
                shape.extend_from_slice(&self.obs_shape);
                let batch = &self.batch;
                $crate::bind::new_array(py, &shape, |o| {
                    for (k, &i) in indices.iter().enumerate() {
                        o[k * ol..(k + 1) * ol].copy_from_slice(batch.final_obs(i));
                    }
                })
            }

            fn action_masks<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<bool>>> {
                let n = self.batch.num_envs();
                $crate::bind::new_array(py, &[n, self.n_actions], |m| self.batch.action_masks(self.n_actions, m))
            }

            /// Named info values after the last step of the sub-envs in
            /// `present`, as Gymnasium vector infos (`{}` for envs that report none).
            fn infos<'py>(&self, py: Python<'py>, present: &Bound<'py, PyArray1<bool>>) -> PyResult<Bound<'py, PyDict>> {
                let ro = $crate::bind::bool_mask(<$env as Env>::NAME, present, self.batch.num_envs())?;
                $crate::bind::batch_info_dict(py, &self.batch, ro.as_slice()?)
            }

            /// Info values at the terminal step of the sub-envs where `done`
            /// (SAME_STEP autoreset), for `infos["final_info"]`.
            fn final_infos<'py>(&self, py: Python<'py>, done: &Bound<'py, PyArray1<bool>>) -> PyResult<Bound<'py, PyDict>> {
                let n = self.batch.num_envs();
                let ro = $crate::bind::bool_mask(<$env as Env>::NAME, done, n)?;
                if self.batch.mode() != ferrogym_core::AutoresetMode::SameStep {
                    return Ok(PyDict::new(py));
                }
                $crate::bind::batch_final_info_dict(py, &self.batch, ro.as_slice()?)
            }

            #[getter]
            fn has_infos(&self) -> bool {
                !self.batch.env(0).info_groups().is_empty()
            }

            fn obs_layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyList>> {
                $crate::bind::layout_list(py, &self.batch.env(0).obs_layout())
            }

            fn effective_config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::bind::effective_config(py, self.batch.env(0))
            }

            fn episode_log<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyDict>> {
                $crate::bind::check_index(<$env as Env>::NAME, index, self.batch.num_envs())?;
                $crate::bind::episode_log(py, self.batch.env(index))
            }

            fn get_state<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
                $crate::bind::check_index(<$env as Env>::NAME, index, self.batch.num_envs())?;
                $crate::bind::state_to_py::<$env>(py, self.batch.env(index))
            }

            fn set_state(&mut self, py: Python<'_>, index: usize, state: &Bound<'_, PyAny>) -> PyResult<()> {
                $crate::bind::check_index(<$env as Env>::NAME, index, self.batch.num_envs())?;
                $crate::bind::state_from_py(py, self.batch.env_mut(index), state)
            }

            /// Replaces sub-env `index`'s config (full keyword arguments)
            /// from its next reset on (per-env curriculum levels).
            #[pyo3(signature = (index, **kwargs))]
            fn reconfigure(&mut self, py: Python<'_>, index: usize, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
                $crate::bind::check_index(<$env as Env>::NAME, index, self.batch.num_envs())?;
                let cfg = $crate::bind::config::<$env>(py, kwargs)?;
                let env = self.batch.env_mut(index);
                $crate::error::guard(<$env as Env>::NAME, || env.reconfigure(&cfg).map_err($crate::bind::core_err))
            }

            fn render_ansi(&self, index: usize) -> PyResult<String> {
                $crate::bind::check_index(<$env as Env>::NAME, index, self.batch.num_envs())?;
                let env = self.batch.env(index);
                $crate::error::guard(<$env as Env>::NAME, || Ok(env.render_ansi()))
            }

            fn render_rgb<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
                $crate::bind::check_index(<$env as Env>::NAME, index, self.batch.num_envs())?;
                let env = self.batch.env(index);
                let f = $crate::error::guard(<$env as Env>::NAME, || Ok(env.render_rgb()))?;
                $crate::bind::new_array(py, &[f.height, f.width, 3], |p| p.copy_from_slice(&f.pixels))
            }
        }
    };
}

pub fn shape_of(space: &ferrogym_core::Space) -> Vec<usize> {
    match space {
        ferrogym_core::Space::Discrete { .. } => vec![],
        ferrogym_core::Space::Box { shape, .. } => shape.clone(),
        // Stored flat; the Python layer rebuilds the tuple.
        ferrogym_core::Space::Tuple(_) => vec![space.flat_len()],
    }
}

pub fn n_actions(space: &ferrogym_core::Space) -> usize {
    match space {
        ferrogym_core::Space::Discrete { n, .. } => *n as usize,
        ferrogym_core::Space::Box { .. } | ferrogym_core::Space::Tuple(_) => 0,
    }
}
