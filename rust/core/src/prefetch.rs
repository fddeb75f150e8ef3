//! Software prefetch hints, for batches whose envs' state does not stay in
//! cache between two steps (the batch steps the other envs in between).
//! A hint never changes a result; on targets other than x86-64 it is a no-op.

const LINE: usize = 64;

/// Asks the CPU to bring the cache lines holding `data` into cache.
#[inline]
pub fn prefetch_slice<T>(data: &[T]) {
    let bytes = std::mem::size_of_val(data);
    let base = data.as_ptr().cast::<u8>();
    let mut offset = 0;
    while offset < bytes {
        prefetch_ptr(base.wrapping_add(offset));
        offset += LINE;
    }
    if bytes > 0 {
        // The last line when `data` does not start on a line boundary.
        prefetch_ptr(base.wrapping_add(bytes - 1));
    }
}

/// Asks the CPU to bring the cache lines holding `value` into cache.
#[inline]
pub fn prefetch_value<T>(value: &T) {
    prefetch_slice(std::slice::from_ref(value));
}

/// Asks the CPU to bring the cache line holding `ptr` into cache; `ptr` need
/// not be valid (a prefetch never faults).
#[inline]
pub fn prefetch_ptr<T>(ptr: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetch` only hints the cache: it reads nothing into the
    // program and never faults, whatever the address. SSE, which provides
    // it, is part of the x86-64 baseline.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(ptr.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ptr;
}
