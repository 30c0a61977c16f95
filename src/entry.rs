//! Where the process starts: the C runtime calls [`main`] here directly.
//!
//! `palabre search` is over in a few milliseconds, and Rust's own start-up
//! (`std::rt::lang_start`) cost it about 0.2 ms on the benchmark machine
//! (bench/README.md): to place the main thread's stack guard it reads and
//! parses `/proc/self/maps`, and it maps an alternate signal stack to print
//! "has overflowed its stack" before aborting. This entry point skips both
//! and keeps what palabre relies on:
//!
//! - the standard streams open: a closed one is opened on `/dev/null`
//!   again, as `lang_start` does, so that no file palabre opens takes its
//!   number and receives its output;
//! - `SIGPIPE` ignored, so that a closed pipe is an error palabre handles
//!   (`palabre search … | head -1` ends quietly);
//! - a panic caught: reported by the panic hook, exit status 101;
//! - standard output flushed at exit (`std::process::exit` does it).
//!
//! What is lost is the message: a stack overflow ends the process with a
//! plain `SIGSEGV`.

use std::ffi::{c_char, c_int, CStr, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// Exit status after a panic, as a Rust `main` would have.
const PANICKED: u8 = 101;

/// The process's entry point (see the module's documentation).
#[unsafe(no_mangle)]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    reopen_closed_standard_streams();
    // SAFETY: setting a signal's disposition to "ignore" has no
    // precondition; no other thread exists yet.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    // SAFETY: the C runtime passes `argc` valid C strings in `argv`.
    let args = unsafe { arguments(argc, argv) };
    let status = std::panic::catch_unwind(move || crate::run_command(args)).unwrap_or(PANICKED);
    std::process::exit(c_int::from(status))
}

/// The command line, as the C runtime hands it over.
///
/// # Safety
/// `argv` holds `argc` pointers to NUL-terminated strings.
unsafe fn arguments(argc: c_int, argv: *const *const c_char) -> Vec<OsString> {
    let count = usize::try_from(argc).unwrap_or(0);
    (0..count)
        .map(|i| {
            // SAFETY: `i < argc`, and each of those is a C string.
            let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
            OsStr::from_bytes(arg.to_bytes()).to_os_string()
        })
        .collect()
}

/// Opens `/dev/null` on each of descriptors 0, 1 and 2 that is closed.
fn reopen_closed_standard_streams() {
    for fd in 0..=2 {
        // SAFETY: F_GETFD only reads the descriptor's flags.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
        // The lowest free descriptor is `fd`: the ones below are open.
        // SAFETY: a valid C string and flags; the descriptor is kept open
        // for the life of the process on purpose.
        if closed && unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) } == -1 {
            // As `lang_start` does: palabre's output would go to whatever
            // file took the number next.
            std::process::abort();
        }
    }
}
