//! `TicketRoutingPlanner`: the rollout planner (`ferrogym_core`'s
//! `ticket_routing::Planner`) over a TicketRouting env or batch, one decision
//! per sub-env per call, with the GIL released.

use ferrogym_core::envs::ticket_routing::{BaseRule, Planner, PlannerConfig};
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;

use crate::bind;
use crate::{TicketRoutingBatch, TicketRoutingCore};

#[pyclass(module = "ferrogym._core")]
pub struct TicketRoutingPlanner {
    planner: Planner,
}

#[pymethods]
impl TicketRoutingPlanner {
    #[new]
    /// `plan`: the base rule's engineer-type pairs, slot-major (`None`: all);
    /// `slack`, `c`, `hold_minutes`: its other knobs (`ferrogym_core` `BaseRule`).
    #[pyo3(signature = (samples=16, horizon_minutes=f64::INFINITY, candidates=5, z=1.0, reveal_work=false, plan=None, slack=f64::INFINITY, c=0.0, hold_minutes=f64::INFINITY))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        samples: i64,
        horizon_minutes: f64,
        candidates: i64,
        z: f64,
        reveal_work: bool,
        plan: Option<Vec<bool>>,
        slack: f64,
        c: f64,
        hold_minutes: f64,
    ) -> PyResult<Self> {
        // Negative counts become 0, which validation refuses by name.
        let cfg = PlannerConfig {
            samples: usize::try_from(samples).unwrap_or(0),
            horizon_minutes,
            candidates: usize::try_from(candidates).unwrap_or(0),
            z,
            reveal_work,
            base: BaseRule {
                plan: plan.unwrap_or_default(),
                slack,
                c,
                hold_minutes,
            },
        };
        let planner = Planner::new(cfg).map_err(bind::core_err)?;
        Ok(Self { planner })
    }

    /// The planner's action in every sub-env of `batch`; sub-env `i`'s
    /// futures are drawn from `seeds[i]` (and the decision's time).
    fn decide_batch<'py>(
        &mut self,
        py: Python<'py>,
        batch: PyRef<'py, TicketRoutingBatch>,
        seeds: Vec<u64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let n = batch.batch.num_envs();
        check_seeds(&seeds, n)?;
        let planner = &mut self.planner;
        let b = &batch.batch;
        let actions: Vec<i64> = crate::error::guard("TicketRouting", || {
            py.detach(|| {
                (0..n)
                    .map(|i| planner.decide(b.env(i), seeds[i]).map(|a| a as i64))
                    .collect::<Result<Vec<i64>, _>>()
            })
            .map_err(bind::core_err)
        })?;
        let out = PyArray1::<i64>::zeros(py, n, false);
        unsafe { out.as_slice_mut()? }.copy_from_slice(&actions);
        Ok(out)
    }

    /// Each action's mean paired cost-to-go difference against the base
    /// rule's choice in every sub-env of `batch` (0 at the base choice,
    /// negative: cheaper; NaN for actions not evaluated, a row of NaN where
    /// no decision is pending), and its standard error: two float64 arrays
    /// `(num_envs, n_actions)`. Sub-env `i`'s futures are drawn from `seeds[i]`;
    /// `active[i]` false skips sub-env `i` (a row of NaN; e.g. a finished episode).
    #[pyo3(signature = (batch, seeds, active=None))]
    #[allow(clippy::type_complexity)]
    fn values_batch<'py>(
        &mut self,
        py: Python<'py>,
        batch: PyRef<'py, TicketRoutingBatch>,
        seeds: Vec<u64>,
        active: Option<Vec<bool>>,
    ) -> PyResult<(Bound<'py, PyArrayDyn<f64>>, Bound<'py, PyArrayDyn<f64>>)> {
        let n = batch.batch.num_envs();
        check_seeds(&seeds, n)?;
        let active = active.unwrap_or_else(|| vec![true; n]);
        if active.len() != n {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "TicketRoutingPlanner: {} active flags for {n} sub-envs; expected one per sub-env",
                active.len()
            )));
        }
        let a = batch.n_actions;
        let planner = &mut self.planner;
        let b = &batch.batch;
        let mut mean = vec![0.0; n * a];
        let mut se = vec![0.0; n * a];
        crate::error::guard("TicketRouting", || {
            py.detach(|| {
                for (i, (m, s)) in mean.chunks_mut(a).zip(se.chunks_mut(a)).enumerate() {
                    if active[i] {
                        planner.action_values(b.env(i), seeds[i], m, s)?;
                    } else {
                        m.fill(f64::NAN);
                        s.fill(f64::NAN);
                    }
                }
                Ok(())
            })
            .map_err(bind::core_err)
        })?;
        let mean = bind::new_array(py, &[n, a], |out| out.copy_from_slice(&mean))?;
        let se = bind::new_array(py, &[n, a], |out| out.copy_from_slice(&se))?;
        Ok((mean, se))
    }

    /// The planner's action in a single env.
    fn decide(
        &mut self,
        py: Python<'_>,
        env: PyRef<'_, TicketRoutingCore>,
        seed: u64,
    ) -> PyResult<i64> {
        let planner = &mut self.planner;
        let e = &env.env;
        crate::error::guard("TicketRouting", || {
            py.detach(|| planner.decide(e, seed))
                .map(|a| a as i64)
                .map_err(bind::core_err)
        })
    }
}

fn check_seeds(seeds: &[u64], n: usize) -> PyResult<()> {
    if seeds.len() != n {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "TicketRoutingPlanner: {} seeds for {n} sub-envs; expected one per sub-env",
            seeds.len()
        )));
    }
    Ok(())
}
