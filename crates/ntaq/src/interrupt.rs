//! Ctrl-C: the running query stops at its next batch (the executor's
//! cancel flag); with no query running, the process ends as usual.

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
    /// Installs the process's Ctrl-C handler (once; later calls keep the
    /// first). A second Ctrl-C while a cancelled query is still cleaning up
    /// ends the process at once.
    pub fn install(&self) {
        let Interrupt { cancel, running } = self.clone();
        let _ = ctrlc::set_handler(move || {
            if running.load(Ordering::SeqCst) && !cancel.swap(true, Ordering::SeqCst) {
                return;
            }
            std::process::exit(i32::from(crate::cli::exit::INTERRUPTED));
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
