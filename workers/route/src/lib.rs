//! The route stage: applies the routing policy to a fully read document and decides whether it is
//! accepted automatically, sent to a person (with reasons), or rejected.
