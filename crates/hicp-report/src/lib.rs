//! Reports for hicp (being built).
