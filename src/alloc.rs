//! The binary's global allocator: mimalloc for ordinary blocks, the kernel for big ones.
//!
//! Ingest makes many small allocations, which mimalloc serves faster than glibc. Blocks of 256 KiB and
//! more are mapped straight from the kernel instead: its pages come zeroed and are only backed by
//! memory once written, so a zeroed table that is never filled costs nothing (the store's engine
//! allocates ~45 such tables of 512 KiB each at start-up for metrics it never records), and a big
//! block is returned to the system the moment it is freed, which keeps the idle daemon small.

use std::alloc::{GlobalAlloc, Layout};

pub struct Allocator;

/// From this size on, a block is its own mapping.
const MAPPED: usize = 256 * 1024;
const PAGE: usize = 4096;

fn mapped(layout: Layout) -> bool {
    layout.size() >= MAPPED && layout.align() <= PAGE
}

unsafe fn map(size: usize) -> *mut u8 {
    let p = libc::mmap(
        std::ptr::null_mut(),
        size,
        libc::PROT_READ | libc::PROT_WRITE,
        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
        -1,
        0,
    );
    if p == libc::MAP_FAILED {
        std::ptr::null_mut()
    } else {
        p.cast()
    }
}

// SAFETY: every block is released by the allocator that made it: `mapped(layout)` depends only on
// the layout, which Rust passes back unchanged to `dealloc` and `realloc`.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if mapped(layout) {
            map(layout.size())
        } else {
            mimalloc::MiMalloc.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if mapped(layout) {
            map(layout.size()) // fresh anonymous pages read as zero
        } else {
            mimalloc::MiMalloc.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if mapped(layout) {
            libc::munmap(ptr.cast(), layout.size());
        } else {
            mimalloc::MiMalloc.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        match (mapped(layout), mapped(new)) {
            (false, false) => mimalloc::MiMalloc.realloc(ptr, layout, new_size),
            #[cfg(target_os = "linux")]
            (true, true) => {
                let p = libc::mremap(ptr.cast(), layout.size(), new_size, libc::MREMAP_MAYMOVE);
                if p == libc::MAP_FAILED {
                    std::ptr::null_mut()
                } else {
                    p.cast()
                }
            }
            _ => {
                let p = self.alloc(new);
                if !p.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                p
            }
        }
    }
}
