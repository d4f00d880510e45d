//! The progress bar of long queries on standard error (`run` and the shell),
//! and of reading flow-log blobs (bytes of files).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kql_exec::ScanProgress;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// A progress bar on standard error for a query that takes more than a
/// moment, fed by polling the executor's scan counters from a thread.
/// Dropping it clears the bar.
pub(crate) struct Bar {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Bar {
    /// How long a query runs before the bar appears.
    const DELAY: Duration = Duration::from_millis(300);
    const TICK: Duration = Duration::from_millis(100);

    /// A bar for a query's scans on standard error.
    pub(crate) fn stderr(progress: Arc<ScanProgress>, label: String) -> Bar {
        let rows = move || (progress.rows_total(), progress.rows_done());
        Bar::start(rows, label, ProgressDrawTarget::stderr(), Bar::DELAY)
    }

    /// A bar for reading flow-log blobs on standard error: bytes of all the
    /// files, and files done of the files.
    pub(crate) fn blobs(progress: Arc<nta_flowlogs::Progress>) -> Bar {
        use std::sync::atomic::Ordering::Relaxed;
        let p = progress.clone();
        let bytes = move || (p.bytes_total.load(Relaxed), p.bytes_done.load(Relaxed));
        let label = move || {
            format!("flow logs: {}/{} files", progress.files_done.load(Relaxed), progress.files_total.load(Relaxed))
        };
        Bar::draw(bytes, Unit::Bytes, label, ProgressDrawTarget::stderr(), Bar::DELAY)
    }

    /// Draws on `target` after `delay`, polling `rows` for (total, done)
    /// rows until dropped; a total of 0 means unknown.
    fn start(
        rows: impl Fn() -> (u64, u64) + Send + 'static,
        label: String,
        target: ProgressDrawTarget,
        delay: Duration,
    ) -> Bar {
        Bar::draw(rows, Unit::Rows, move || label.clone(), target, delay)
    }

    /// Draws on `target` after `delay`, polling `counts` for (total, done)
    /// `unit`s and `label` for the message until dropped; a total of 0 means unknown.
    fn draw(
        counts: impl Fn() -> (u64, u64) + Send + 'static,
        unit: Unit,
        label: impl Fn() -> String + Send + 'static,
        target: ProgressDrawTarget,
        delay: Duration,
    ) -> Bar {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if stopped.recv_timeout(delay) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let style = |template: &str| {
                ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
            };
            let (counting, bar_style) = match unit {
                Unit::Rows => (
                    style("{spinner} {msg} [{elapsed}] {human_pos} rows read"),
                    style("{spinner} {msg} [{elapsed}] [{wide_bar}] {human_pos}/{human_len} rows"),
                ),
                Unit::Bytes => (
                    style("{spinner} {msg} [{elapsed}] {binary_bytes} read"),
                    style("{spinner} {msg} [{elapsed}] [{wide_bar}] {binary_bytes}/{binary_total_bytes}"),
                ),
            };
            let bar = ProgressBar::with_draw_target(None, target).with_style(counting);
            let mut known = false;
            loop {
                bar.set_message(label());
                let (total, done) = counts();
                if total > 0 {
                    if !known {
                        bar.set_style(bar_style.clone());
                        known = true;
                    }
                    bar.set_length(total.max(done));
                }
                bar.set_position(done);
                bar.tick();
                if stopped.recv_timeout(Bar::TICK) != Err(RecvTimeoutError::Timeout) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Bar { stop: Some(stop), thread: Some(thread) }
    }
}

/// What a bar counts.
#[derive(Clone, Copy)]
enum Unit {
    Rows,
    Bytes,
}

impl Drop for Bar {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;

    /// A terminal that records what is drawn on it.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
        fn put(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.put(s)?;
            self.put("\n")
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.put(s)
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.put("<clear>")
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn counters(total: u64) -> (Arc<AtomicU64>, impl Fn() -> (u64, u64) + Send + 'static) {
        let done = Arc::new(AtomicU64::new(0));
        let d = done.clone();
        (done, move || (total, d.load(Ordering::Relaxed)))
    }

    #[test]
    fn a_quick_query_draws_no_bar() {
        let screen = Screen::default();
        let (_, rows) = counters(1000);
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        let bar = Bar::start(rows, "q.kql".into(), target, Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(50));
        drop(bar);
        assert_eq!(screen.text(), "");
    }

    #[test]
    fn a_long_query_draws_rows_read_of_the_total_then_clears_it() {
        let screen = Screen::default();
        let (done, rows) = counters(8000);
        done.store(2000, Ordering::Relaxed);
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        let bar = Bar::start(rows, "scenario1.kql".into(), target, Duration::from_millis(10));
        let waited = Instant::now();
        while !screen.text().contains("2,000/8,000 rows") && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let text = screen.text();
        assert!(text.contains("scenario1.kql") && text.contains("2,000/8,000 rows"), "{text:?}");
        done.store(8000, Ordering::Relaxed);
        while !screen.text().contains("8,000/8,000 rows") && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(bar);
        let text = screen.text();
        assert!(text.contains("8,000/8,000 rows"), "{text:?}");
        assert!(text.ends_with("<clear>"), "the bar is cleared at the end: {text:?}");
    }

    #[test]
    fn an_unknown_total_counts_rows() {
        let screen = Screen::default();
        let (done, rows) = counters(0);
        done.store(1234, Ordering::Relaxed);
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        let bar = Bar::start(rows, "<stdin>".into(), target, Duration::ZERO);
        let waited = Instant::now();
        while !screen.text().contains("rows read") && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(bar);
        assert!(screen.text().contains("1,234 rows read"), "{:?}", screen.text());
    }
}
