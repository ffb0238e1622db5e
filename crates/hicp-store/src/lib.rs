//! Persistence for hicp (being built).
