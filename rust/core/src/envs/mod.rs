//! The environments ferrogym ships, one module each.

pub mod blackjack;
pub mod cartpole;
pub mod connect_four;
pub mod customer_support;
pub mod grid_world;
pub mod inventory_control;
/// Several TicketRouting teams on one clock, with ticket handover (PettingZoo).
pub mod multi_team_routing;
pub mod pendulum;
pub mod point_mass;
/// The one-file template for new Rust envs (docs/new_rust_env.md); shipped
/// as `ferrogym/Corridor-v0` so that the template is built and checked.
pub mod template;
pub mod ticket_routing;
