//! Ctrl-C: the running query stops at its next batch (the executor's
//! cancel flag). In batch, Ctrl-C with no query running (or a second one
//! while a cancelled query cleans up) ends the process with status 130; the
//! shell never ends on Ctrl-C, like psql and duckdb (Ctrl-D or `.quit` do).
//! SIGTERM and SIGHUP (`kill`, a closed terminal) end any command at once.
//! Either way, a process that exits without unwinding first removes the
//! temporary files it registered ([`kql_io::cleanup`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Flags shared with the Ctrl-C handler.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    /// Set by Ctrl-C: the running query stops at its next batch.
    pub cancel: Arc<AtomicBool>,
    /// True while a query runs.
    pub running: Arc<AtomicBool>,
}

impl Interrupt {
    /// Installs the process's Ctrl-C handler for a batch run (once; later
    /// calls keep the first). A second Ctrl-C while a cancelled query is
    /// still cleaning up ends the process at once.
    pub fn install(&self) {
        self.install_handler(true);
    }

    /// Installs the shell's Ctrl-C handler: it cancels the running query
    /// and is otherwise ignored (at the prompt the line editor reads Ctrl-C
    /// as a key and clears the line).
    pub fn install_for_shell(&self) {
        self.install_handler(false);
    }

    fn install_handler(&self, exit_when_idle: bool) {
        let Interrupt { cancel, running } = self.clone();
        let _ = ctrlc::set_handler(move || {
            let first = !cancel.swap(true, Ordering::SeqCst);
            if exit_when_idle && !(running.load(Ordering::SeqCst) && first) {
                kql_io::cleanup::remove_all();
                std::process::exit(i32::from(crate::cli::exit::INTERRUPTED));
            }
        });
    }

    /// Marks a query as running, with the cancel flag cleared.
    pub fn start(&self) {
        self.cancel.store(false, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
    }

    /// Marks the query as finished; true if Ctrl-C cancelled it.
    pub fn finish(&self) -> bool {
        self.running.store(false, Ordering::SeqCst);
        self.cancel.swap(false, Ordering::SeqCst)
    }
}

/// Ends the process on SIGTERM or SIGHUP, whatever it is doing: the
/// registered temporary files (staged outputs, `convert`'s partial file,
/// flow-log scratch folders) are removed, then it exits with 128 + the
/// signal's number, as shells report it (143, 129). Spill files need
/// nothing: they have no name. Called once, at start-up.
pub fn end_on_termination() {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]) else {
        return; // the default action (exit without cleanup) stays
    };
    let spawned = std::thread::Builder::new().name("ntaq-signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            kql_io::cleanup::remove_all();
            std::process::exit(128 + signal);
        }
    });
    drop(spawned);
}
