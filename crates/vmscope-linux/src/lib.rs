//! vmscope-linux: what vmscope knows about Linux guests, with no I/O of its own.
//!
//! Everything here reads the guest through [`vmscope_core::guest`] traits, so it can be tested against a
//! synthetic guest.
