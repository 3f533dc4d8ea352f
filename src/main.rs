fn main() -> std::process::ExitCode {
    alertlint::cli::run()
}

// Most of a check's time goes to many small allocations (YAML nodes, strings).
// Built without transparent huge pages (`no_thp`): a short run touches only
// part of each 2 MiB page, and zeroing whole huge pages cost a quarter of the
// time and 25 MiB of peak memory on the corpus.
#[global_allocator]
static GLOBAL: Allocator = Allocator;

/// mimalloc, called the way the standard library calls the system
/// allocator: plain `mi_malloc` when the alignment is no more than malloc's
/// (nearly every allocation), the aligned entry points otherwise. The
/// `mimalloc` crate always takes the aligned path, which costs more.
struct Allocator;

/// The alignment `mi_malloc` guarantees (as `malloc` does on x86-64 and aarch64).
const MALLOC_ALIGN: usize = 16;

fn plain(layout: std::alloc::Layout) -> bool {
    layout.align() <= MALLOC_ALIGN && layout.align() <= layout.size()
}

// SAFETY: every block comes from mimalloc and goes back to it; blocks of
// larger alignment are handled by mimalloc's aligned functions.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if plain(layout) {
            // SAFETY: plain allocation of a non-zero size.
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: as above, with the layout's alignment.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if plain(layout) {
            // SAFETY: plain zeroed allocation.
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: as above, with the layout's alignment.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from mimalloc (either path).
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let new = std::alloc::Layout::from_size_align(new_size, layout.align());
        if plain(layout) && new.is_ok_and(plain) {
            // SAFETY: `ptr` came from `mi_malloc` with the same alignment needs.
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            // SAFETY: as above, with the layout's alignment.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}
