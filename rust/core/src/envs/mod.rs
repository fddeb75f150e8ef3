//! The environments ferrogym ships, one module each.

pub mod blackjack;
pub mod cartpole;
pub mod customer_support;
pub mod grid_world;
pub mod inventory_control;
pub mod pendulum;
pub mod point_mass;
/// The one-file template for new Rust envs (docs/new_rust_env.md); shipped
/// as `ferrogym/Corridor-v0` so that the template is built and checked.
pub mod template;
pub mod ticket_routing;
