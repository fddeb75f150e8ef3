//! The environments ferrogym ships, one module each.

pub mod cartpole;
pub mod grid_world;
pub mod ticket_routing;
