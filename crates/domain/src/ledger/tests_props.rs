//! Property tests: any single alteration is detected, at the right entry.
