//! The broker adapter over lapin: connecting, declaring the topology, publishing with confirms
//! and consuming with manual acks.
