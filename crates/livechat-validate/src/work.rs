//! A count of the elementary steps the validator takes (values scanned, entries
//! compared, lookups), kept only in this crate's unit tests: the scaling tests compare
//! it on inputs of two sizes to catch work that grows faster than the input, which a
//! timing on a shared machine could not. Outside tests, [`tick`] compiles to nothing.

#[cfg(test)]
thread_local! {
    static COUNT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` steps (on this thread).
#[inline(always)]
pub(crate) fn tick(n: u64) {
    #[cfg(test)]
    COUNT.with(|c| c.set(c.get() + n));
    #[cfg(not(test))]
    let _ = n;
}

/// The steps counted on this thread since the last call.
#[cfg(test)]
pub(crate) fn take() -> u64 {
    COUNT.with(|c| c.replace(0))
}
