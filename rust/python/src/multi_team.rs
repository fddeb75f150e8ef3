//! `MultiTeamTicketRoutingCore`: the multi-agent TicketRouting (several
//! dispatchers on one clock). Its own class because `bind_env!` binds
//! single-agent envs: here reset and step take and return one row per
//! dispatcher (observations, masks, rewards, infos).

use ferrogym_core::envs::multi_team_routing::{
    MultiTeamRouting, MultiTeamRoutingConfig, INFO, NAME,
};
use ferrogym_core::envs::ticket_routing::episode_tables;
use numpy::PyArrayDyn;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::bind;
use crate::error;

type Obs<'py> = Bound<'py, PyArrayDyn<f32>>;
type Mask<'py> = Bound<'py, PyArrayDyn<bool>>;

#[pyclass(module = "ferrogym._core")]
pub struct MultiTeamTicketRoutingCore {
    env: MultiTeamRouting,
}

impl MultiTeamTicketRoutingCore {
    fn obs<'py>(&self, py: Python<'py>) -> PyResult<Obs<'py>> {
        let shape = [self.env.n_teams(), self.env.obs_len()];
        bind::new_array(py, &shape, |o| self.env.write_obs(o))
    }

    fn masks<'py>(&self, py: Python<'py>) -> PyResult<Mask<'py>> {
        let shape = [self.env.n_teams(), self.env.n_actions()];
        bind::new_array(py, &shape, |m| self.env.action_masks(m))
    }

    fn infos<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let width: usize = INFO.iter().map(|g| g.names.len()).sum();
        let mut values = vec![0.0; width];
        let out = PyList::empty(py);
        for k in 0..self.env.n_teams() {
            self.env.info_values(k, &mut values);
            let d = PyDict::new(py);
            let mut i = 0;
            for g in INFO {
                let sub = PyDict::new(py);
                for name in g.names {
                    sub.set_item(*name, values[i])?;
                    i += 1;
                }
                d.set_item(g.key, sub)?;
            }
            out.append(d)?;
        }
        Ok(out)
    }
}

#[pymethods]
impl MultiTeamTicketRoutingCore {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let cfg: MultiTeamRoutingConfig = match kwargs {
            Some(d) if !d.is_empty() => {
                bind::from_py_named(d.as_any()).map_err(|e| error::config(py, NAME, e))?
            }
            _ => MultiTeamRoutingConfig::default(),
        };
        let env = error::guard(NAME, || MultiTeamRouting::new(&cfg).map_err(bind::core_err))?;
        Ok(Self { env })
    }

    /// The config's defaults as plain Python data (its one declaration).
    #[staticmethod]
    fn default_config(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        pythonize::pythonize(py, &MultiTeamRoutingConfig::default()).map_err(runtime)
    }

    #[getter]
    fn n_teams(&self) -> usize {
        self.env.n_teams()
    }

    #[getter]
    fn n_actions(&self) -> usize {
        self.env.n_actions()
    }

    /// One dispatcher's observation space (all dispatchers share it).
    fn observation_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::space::to_dict(py, &self.env.observation_space())
    }

    fn action_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::space::to_dict(py, &self.env.action_space())
    }

    fn obs_layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        bind::layout_list(py, &self.env.obs_layout())
    }

    fn seed(&mut self, seed: u64) {
        self.env.seed(seed);
    }

    /// Returns `(obs[n_teams, obs_len], masks[n_teams, n_actions])`.
    fn reset<'py>(&mut self, py: Python<'py>) -> PyResult<(Obs<'py>, Mask<'py>)> {
        error::guard(NAME, || {
            let shape = [self.env.n_teams(), self.env.obs_len()];
            let env = &mut self.env;
            let obs = bind::new_array(py, &shape, |o| env.reset(o))?;
            Ok((obs, self.masks(py)?))
        })
    }

    /// `actions`: one integer per dispatcher. Returns `(obs, rewards[n_teams],
    /// terminated, truncated, masks, infos)`; the flags are shared by all
    /// dispatchers (one clock), `infos` is a list of one dict per team.
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        actions: &Bound<'py, PyAny>,
    ) -> PyResult<(
        Obs<'py>,
        Vec<f64>,
        bool,
        bool,
        Mask<'py>,
        Bound<'py, PyList>,
    )> {
        let n = self.env.n_teams();
        // As strict as a Discrete space: a string or a bool is not an action.
        let has_bool = || {
            actions.try_iter().is_ok_and(|mut it| {
                it.any(|x| x.is_ok_and(|x| x.is_instance_of::<pyo3::types::PyBool>()))
            })
        };
        let a: Vec<i64> = actions
            .extract()
            .ok()
            .filter(|_| !actions.is_instance_of::<pyo3::types::PyString>() && !has_bool())
            .ok_or_else(|| {
                error::action_type(
                    py,
                    NAME,
                    actions,
                    &format!("a sequence of {n} integers, one per dispatcher"),
                )
            })?;
        self.env.check_actions(&a).map_err(bind::core_err)?;
        error::guard(NAME, || {
            let mut rewards = vec![0.0; n];
            let shape = [n, self.env.obs_len()];
            let env = &mut self.env;
            let mut truncated = false;
            let obs = bind::new_array(py, &shape, |o| truncated = env.step(&a, o, &mut rewards))?;
            Ok((
                obs,
                rewards,
                false,
                truncated,
                self.masks(py)?,
                self.infos(py)?,
            ))
        })
    }

    fn action_masks<'py>(&self, py: Python<'py>) -> PyResult<Mask<'py>> {
        self.masks(py)
    }

    fn observations<'py>(&self, py: Python<'py>) -> PyResult<Obs<'py>> {
        self.obs(py)
    }

    /// The last step's infos, one dict per team.
    fn last_infos<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.infos(py)
    }

    /// Whether each dispatcher has a ticket to route now.
    fn deciding(&self) -> Vec<bool> {
        (0..self.env.n_teams())
            .map(|k| self.env.deciding(k))
            .collect()
    }

    /// The resolved config: every team's TicketRouting config and the handover rules.
    fn effective_config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let p = self.env.params();
        let d = PyDict::new(py);
        let teams = PyList::empty(py);
        for t in &p.teams {
            teams.append(pythonize::pythonize(py, &t.to_config()).map_err(runtime)?)?;
        }
        d.set_item(
            "scenario",
            pythonize::pythonize(py, &p.scenario).map_err(runtime)?,
        )?;
        d.set_item("teams", teams)?;
        d.set_item("max_handovers", p.max_handovers)?;
        d.set_item("handover_penalty", p.handover_penalty)?;
        d.set_item("handover_work_minutes", p.handover_work_minutes)?;
        d.set_item(
            "invalid_action",
            pythonize::pythonize(py, &p.invalid_action).map_err(runtime)?,
        )?;
        Ok(d.into_any())
    }

    /// Team `team`'s episode tables (TicketRouting's `episode_log`).
    fn episode_log<'py>(&self, py: Python<'py>, team: usize) -> PyResult<Bound<'py, PyDict>> {
        bind::check_index(NAME, team, self.env.n_teams())?;
        bind::tables_to_py(py, episode_tables(self.env.team(team)))
    }

    fn get_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pythonize::pythonize(py, &self.env.state()).map_err(runtime)
    }

    fn set_state(&mut self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = bind::parse_state(py, NAME, state)?;
        let env = &mut self.env;
        error::guard(NAME, || env.set_state(s).map_err(bind::core_err))
    }

    fn render_ansi(&self) -> String {
        self.env.render_ansi()
    }
}

fn runtime(e: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(format!("{NAME}: {e}"))
}
