//! Counts in text and the casualties and sizes they give.
