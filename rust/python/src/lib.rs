//! `ferrogym._core`: the compiled half of ferrogym. Conversion only; all
//! dynamics live in the `ferrogym-core` crate.

mod bind;
mod error;
mod multi_team;
mod planner;
mod space;
mod value;

use ferrogym_core::envs::blackjack::Blackjack;
use ferrogym_core::envs::cartpole::CartPole;
use ferrogym_core::envs::connect_four::ConnectFour;
use ferrogym_core::envs::customer_support::CustomerSupport;
use ferrogym_core::envs::grid_world::GridWorld;
use ferrogym_core::envs::inventory_control::InventoryControl;
use ferrogym_core::envs::pendulum::Pendulum;
use ferrogym_core::envs::point_mass::PointMass;
use ferrogym_core::envs::template::Corridor;
use ferrogym_core::envs::ticket_routing::TicketRouting;
use ferrogym_core::Env;
use numpy::{PyArray, PyArray1, PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

bind_env!(CartPole, CartPoleCore, CartPoleBatch);
bind_env!(GridWorld, GridWorldCore, GridWorldBatch);
bind_env!(Corridor, CorridorCore, CorridorBatch);
bind_env!(TicketRouting, TicketRoutingCore, TicketRoutingBatch);
bind_env!(Pendulum, PendulumCore, PendulumBatch);
bind_env!(Blackjack, BlackjackCore, BlackjackBatch);
bind_env!(PointMass, PointMassCore, PointMassBatch);
bind_env!(CustomerSupport, CustomerSupportCore, CustomerSupportBatch);
bind_env!(ConnectFour, ConnectFourCore, ConnectFourBatch);
bind_env!(
    InventoryControl,
    InventoryControlCore,
    InventoryControlBatch
);

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<CartPoleCore>()?;
    m.add_class::<CartPoleBatch>()?;
    m.add_class::<GridWorldCore>()?;
    m.add_class::<GridWorldBatch>()?;
    m.add_class::<CorridorCore>()?;
    m.add_class::<CorridorBatch>()?;
    m.add_class::<TicketRoutingCore>()?;
    m.add_class::<TicketRoutingBatch>()?;
    m.add_class::<PendulumCore>()?;
    m.add_class::<PendulumBatch>()?;
    m.add_class::<BlackjackCore>()?;
    m.add_class::<BlackjackBatch>()?;
    m.add_class::<PointMassCore>()?;
    m.add_class::<PointMassBatch>()?;
    m.add_class::<CustomerSupportCore>()?;
    m.add_class::<CustomerSupportBatch>()?;
    m.add_class::<ConnectFourCore>()?;
    m.add_class::<ConnectFourBatch>()?;
    m.add_class::<multi_team::MultiTeamTicketRoutingCore>()?;
    m.add_class::<planner::TicketRoutingPlanner>()?;
    m.add_class::<InventoryControlCore>()?;
    m.add_class::<InventoryControlBatch>()?;
    Ok(())
}
