//! The bench data generator (placeholder).
