//! CELF outbreak detection.
