//! The AMQP topology: every exchange, queue and binding Tamis declares, in one place.
