//! Offline source (in progress).
