//! The engine: walks the data directory, parses, checks and locates findings.
