//! Ctrl-C: the running query stops at its next batch (the executor's
//! cancel flag). In batch, Ctrl-C with no query running (or a second one
//! while a cancelled query cleans up) ends the process with status 130; the
//! shell never ends on Ctrl-C, like psql and duckdb (Ctrl-D or `.quit` do).

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
                crate::scratch::remove_all();
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
