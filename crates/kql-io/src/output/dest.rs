//! Where results go: a stream, or a file written through a temporary file
//! beside it that is renamed into place only when the output is complete —
//! at once ([`Destination::File`]), together with other files
//! ([`Staging`]), or appended to the file ([`Destination::Append`]). This
//! is the one place that stages output in temporary files.

use super::error::{OutputError, Target};
use arrow_schema::ArrowError;
use parquet::errors::ParquetError;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use tempfile::NamedTempFile;

/// Where a sink writes.
pub enum Destination {
    /// A stream such as standard output; written as the batches come.
    Writer(Box<dyn Write + Send>),
    /// A file, replaced atomically when the sink finishes. Until then the
    /// output goes to a hidden temporary file in the same directory, which is
    /// removed if the sink fails or is dropped; an existing file at the path
    /// is untouched until the rename. A path that is not a regular file (a
    /// device such as `/dev/null`, a named pipe) is written as a stream:
    /// renaming over it would replace the device with a file.
    File(PathBuf),
    /// A file written as for `File`, but left in its [`Staging`] when the
    /// sink finishes: it moves into place when the staging is committed.
    Staged(PathBuf, Staging),
    /// A file the output is appended to when the sink finishes. Until then
    /// it goes to a temporary file beside it, so a failed output appends
    /// nothing.
    Append(PathBuf),
}

impl Destination {
    pub fn stdout() -> Destination {
        Destination::Writer(Box::new(io::stdout()))
    }

    pub fn writer(writer: impl Write + Send + 'static) -> Destination {
        Destination::Writer(Box::new(writer))
    }

    pub fn file(path: impl Into<PathBuf>) -> Destination {
        Destination::File(path.into())
    }

    pub fn append(path: impl Into<PathBuf>) -> Destination {
        Destination::Append(path.into())
    }

    /// Whether the output goes to a file (some formats need one).
    pub fn is_file(&self) -> bool {
        !matches!(self, Destination::Writer(_))
    }

    pub fn target(&self) -> Target {
        match self {
            Destination::Writer(_) => Target::Stream,
            Destination::File(p) | Destination::Staged(p, _) | Destination::Append(p) => Target::File(p.clone()),
        }
    }
}

impl fmt::Debug for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Writer(_) => f.write_str("Destination::Writer(..)"),
            Destination::File(p) => f.debug_tuple("Destination::File").field(p).finish(),
            Destination::Staged(p, _) => f.debug_tuple("Destination::Staged").field(p).finish(),
            Destination::Append(p) => f.debug_tuple("Destination::Append").field(p).finish(),
        }
    }
}

/// Files written through temporary files beside them and moved into place
/// together by [`Staging::commit`]; dropped uncommitted, the files are
/// removed. (`ntaq run --output-dir`: a script's files appear only if all
/// its results succeeded.)
#[derive(Clone, Default)]
pub struct Staging(Arc<Mutex<Vec<(Temp, PathBuf)>>>);

impl Staging {
    pub fn new() -> Staging {
        Staging::default()
    }

    /// A destination whose finished file waits here until [`Staging::commit`].
    pub fn file(&self, path: impl Into<PathBuf>) -> Destination {
        Destination::Staged(path.into(), self.clone())
    }

    fn push(&self, temp: Temp, path: &Path) {
        let mut files = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        files.push((temp, path.to_path_buf()));
    }

    /// Moves every finished file into place, in the order they finished;
    /// returns their paths. After a failure, the files not yet moved are
    /// removed.
    pub fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        let files = std::mem::take(&mut *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        let mut done = Vec::new();
        for (temp, path) in files {
            let target = Target::File(path.clone());
            temp.file.persist(&path).map_err(|e| OutputError::Commit { target, source: e.error })?;
            done.push(path);
        }
        Ok(done)
    }
}

impl fmt::Debug for Staging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = self.0.lock().map(|v| v.len()).unwrap_or(0);
        f.debug_struct("Staging").field("files", &files).finish()
    }
}

/// Turns writer errors into [`OutputError`]s. Arrow's and Parquet's writers
/// wrap I/O errors in their own (sometimes as bare text), so the output
/// records the first I/O error it sees and that one decides: a broken pipe
/// stays a broken pipe however it was reported.
#[derive(Debug, Clone)]
pub(crate) struct Errors {
    pub target: Target,
    first_io: Arc<OnceLock<(io::ErrorKind, String)>>,
}

impl Errors {
    fn recorded(&self) -> Option<OutputError> {
        let (kind, message) = self.first_io.get()?;
        Some(OutputError::io(&self.target, io::Error::new(*kind, message.clone())))
    }

    pub fn io(&self, e: io::Error) -> OutputError {
        OutputError::io(&self.target, e)
    }

    pub fn arrow(&self, e: ArrowError) -> OutputError {
        if let Some(recorded) = self.recorded() {
            return recorded;
        }
        match e {
            ArrowError::IoError(_, source) => self.io(source),
            other => OutputError::Encode { target: self.target.clone(), reason: other.to_string() },
        }
    }

    pub fn parquet(&self, e: ParquetError) -> OutputError {
        if let Some(recorded) = self.recorded() {
            return recorded;
        }
        match e {
            ParquetError::External(source) => match source.downcast::<io::Error>() {
                Ok(io) => self.io(*io),
                Err(other) => OutputError::Encode { target: self.target.clone(), reason: other.to_string() },
            },
            other => OutputError::Encode { target: self.target.clone(), reason: other.to_string() },
        }
    }
}

enum Backing {
    Stream(Box<dyn Write + Send>),
    Temp(Behind, Finish),
}

/// Buffers in flight to a [`Behind`]'s thread at most.
const IN_FLIGHT: usize = 4;

/// A temporary file written on a thread of its own: copying gigabytes
/// into the kernel's page cache is a core's work, which would otherwise
/// stop the encoding of the next rows while it lasts. Writes are handed
/// over as buffers (recycled, so the memory in flight stays bounded); the
/// first error the thread meets is recorded and fails every later write,
/// and [`Behind::join`] returns it. Dropped unjoined, it still waits for the
/// thread (which then drops, and so removes, the temporary file).
struct Behind {
    to_thread: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
    thread: Option<std::thread::JoinHandle<(Temp, io::Result<()>)>>,
}

impl Behind {
    fn start(mut temp: Temp, first_io: Arc<OnceLock<(io::ErrorKind, String)>>) -> io::Result<Behind> {
        let (to_thread, buffers) = std::sync::mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT);
        let (give_back, spare) = std::sync::mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT + 1);
        let thread = std::thread::Builder::new().name("ntaq-output".into()).spawn(move || {
            let mut result = Ok(());
            for buffer in buffers {
                if result.is_ok() {
                    result = temp.file.write_all(&buffer);
                    if let Err(e) = &result {
                        let _ = first_io.set((e.kind(), e.to_string()));
                    }
                }
                let _ = give_back.try_send(buffer);
            }
            let result = result.and_then(|()| temp.file.flush());
            (temp, result)
        })?;
        Ok(Behind { to_thread: Some(to_thread), spare, thread: Some(thread) })
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut buffer = self.spare.try_recv().unwrap_or_default();
        buffer.clear();
        buffer.extend_from_slice(buf);
        let gone = || io::Error::other("the output file's writer stopped");
        self.to_thread.as_ref().ok_or_else(gone)?.send(buffer).map_err(|_| gone())?;
        Ok(buf.len())
    }

    /// Waits for every write; the file back, or the first error.
    fn join(mut self) -> io::Result<Temp> {
        self.to_thread = None;
        let thread = self.thread.take().ok_or_else(|| io::Error::other("the output file's writer was joined twice"))?;
        let (temp, result) = thread.join().map_err(|_| io::Error::other("the output file's writer panicked"))?;
        result.map(|()| temp)
    }
}

impl Drop for Behind {
    fn drop(&mut self) {
        self.to_thread = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A temporary output file, known to [`crate::cleanup::remove_all`] while
/// it lives (a signal ending the process removes it too).
struct Temp {
    file: NamedTempFile,
    _registered: crate::cleanup::Registered,
}

/// What becomes of a finished temporary file.
enum Finish {
    /// Renamed over the target.
    Replace,
    /// Left in the staging, renamed with the others at its commit.
    Stage(Staging),
    /// Appended to the target, then removed.
    Append,
}

/// The bottom of the writer stack: counts bytes and records the first error.
struct Tracked {
    backing: Backing,
    bytes: u64,
    first_io: Arc<OnceLock<(io::ErrorKind, String)>>,
}

impl Tracked {
    fn note<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r {
            let _ = self.first_io.set((e.kind(), e.to_string()));
        }
        r
    }
}

impl Write for Tracked {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // An error the writing thread met fails this write and every later one.
        if let Some((kind, message)) = self.first_io.get() {
            return Err(io::Error::new(*kind, message.clone()));
        }
        let r = match &mut self.backing {
            Backing::Stream(w) => w.write(buf),
            Backing::Temp(f, _) => f.write(buf),
        };
        let n = self.note(r)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = match &mut self.backing {
            Backing::Stream(w) => w.flush(),
            // The thread flushes when joined.
            Backing::Temp(..) => Ok(()),
        };
        self.note(r)
    }
}

/// A buffered output that commits on [`Output::finish`] and cleans up when
/// dropped unfinished.
pub(crate) struct Output {
    inner: BufWriter<Tracked>,
    errors: Errors,
}

const BUFFER: usize = 256 * 1024;

impl Output {
    pub fn open(dest: Destination) -> Result<Output, OutputError> {
        let target = dest.target();
        let first_io = Arc::new(OnceLock::new());
        let backing = match dest {
            Destination::Writer(w) => Backing::Stream(w),
            Destination::File(path) | Destination::Staged(path, _) if is_special(&path) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(|source| OutputError::Create { target: target.clone(), source })?;
                Backing::Stream(Box::new(file))
            }
            Destination::File(path) => Backing::Temp(temp_beside(&path, &target, &first_io)?, Finish::Replace),
            Destination::Staged(path, staging) => {
                Backing::Temp(temp_beside(&path, &target, &first_io)?, Finish::Stage(staging))
            }
            Destination::Append(path) => Backing::Temp(temp_beside(&path, &target, &first_io)?, Finish::Append),
        };
        let tracked = Tracked { backing, bytes: 0, first_io: first_io.clone() };
        Ok(Output { inner: BufWriter::with_capacity(BUFFER, tracked), errors: Errors { target, first_io } })
    }

    pub fn errors(&self) -> &Errors {
        &self.errors
    }

    /// Flushes everything; a file is synced and renamed over the target.
    /// Returns the number of bytes written.
    pub fn finish(self) -> Result<u64, OutputError> {
        let Output { inner, errors } = self;
        let tracked = inner.into_inner().map_err(|e| errors.io(e.into_error()))?;
        let bytes = tracked.bytes;
        match tracked.backing {
            Backing::Stream(mut w) => w.flush().map_err(|e| errors.io(e))?,
            Backing::Temp(behind, finish) => {
                let mut temp = behind.join().map_err(|e| errors.io(e))?;
                let Target::File(path) = &errors.target else {
                    return Err(errors.io(io::Error::other("a temporary file without a target path")));
                };
                match finish {
                    Finish::Append => append(&mut temp, path).map_err(|e| errors.io(e))?,
                    Finish::Replace | Finish::Stage(_) => temp.file.as_file().sync_all().map_err(|e| errors.io(e))?,
                }
                match finish {
                    // On failure the temporary file is dropped with the error, which removes it.
                    Finish::Replace => temp
                        .file
                        .persist(path)
                        .map_err(|e| OutputError::Commit { target: errors.target.clone(), source: e.error })
                        .map(drop)?,
                    Finish::Stage(staging) => staging.push(temp, path),
                    Finish::Append => {}
                }
            }
        }
        Ok(bytes)
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Appends the whole of a finished temporary file to `path` (created if missing).
fn append(temp: &mut Temp, path: &Path) -> io::Result<()> {
    use std::io::Seek;
    let from = temp.file.as_file_mut();
    from.rewind()?;
    let mut to = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
    io::copy(from, &mut to)?;
    to.flush()
}

/// True if `path` exists and is neither a regular file nor a directory (a
/// device, a named pipe, a socket): written in place, never replaced.
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// A hidden temporary file (`.NAME.XXXXXX.tmp`) in the target's directory,
/// so the final rename stays on one file system, written behind
/// ([`Behind`]). It gets the permissions an existing target has, else those
/// a new file would get.
fn temp_beside(
    path: &Path,
    target: &Target,
    first_io: &Arc<OnceLock<(io::ErrorKind, String)>>,
) -> Result<Behind, OutputError> {
    let create = |source: io::Error| OutputError::Create { target: target.clone(), source };
    if path.is_dir() {
        return Err(create(io::Error::new(io::ErrorKind::IsADirectory, "it is a directory")));
    }
    let Some(name) = path.file_name() else {
        return Err(create(io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file")));
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Like File::create: 0666 less the umask (tempfile's default is 0600).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir).map_err(create)?;
    let temp = Temp { _registered: crate::cleanup::register(temp.path()), file: temp };
    if let Ok(existing) = std::fs::metadata(path) {
        temp.file.as_file().set_permissions(existing.permissions()).map_err(create)?;
    }
    Behind::start(temp, first_io.clone()).map_err(create)
}

/// Writes `bytes` whole to `dest` (a file through a temporary file beside
/// it, renamed into place only when complete): for callers that render a
/// document in memory (`ntaq recommend`). Returns the bytes written.
pub fn write_bytes(dest: Destination, bytes: &[u8]) -> Result<u64, OutputError> {
    let mut out = Output::open(dest)?;
    out.write_all(bytes).map_err(|e| out.errors().io(e))?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(dest: Destination, text: &str) -> Result<u64, OutputError> {
        write_bytes(dest, text.as_bytes())
    }

    #[test]
    fn an_error_of_the_writing_thread_fails_later_writes_and_the_finish() {
        // A temporary file opened read-only: the thread's first write fails.
        let dir = tempfile::tempdir().unwrap();
        let writable = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        let read_only = std::fs::File::open(writable.path()).unwrap();
        let file = tempfile::NamedTempFile::from_parts(read_only, writable.into_temp_path());
        let temp = Temp { _registered: crate::cleanup::register(file.path()), file };
        let path = temp.file.path().to_path_buf();
        let first_io = Arc::new(OnceLock::new());
        let mut tracked = Tracked {
            backing: Backing::Temp(Behind::start(temp, first_io.clone()).unwrap(), Finish::Replace),
            bytes: 0,
            first_io: first_io.clone(),
        };
        assert_eq!(tracked.write(b"accepted, then failed on the thread").unwrap(), 35);
        // Once the thread has met the error, writes fail with it.
        while first_io.get().is_none() {
            std::thread::yield_now();
        }
        assert!(tracked.write(b"more").is_err());
        let Backing::Temp(behind, _) = tracked.backing else { unreachable!() };
        assert!(behind.join().is_err());
        // The thread dropped the temporary file: removed.
        assert!(!path.exists());
    }

    #[test]
    fn appends_are_whole_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        written(Destination::append(&path), "a\n").unwrap();
        written(Destination::append(&path), "b\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\n");
        // An output dropped unfinished appends nothing and leaves no file behind.
        let mut out = Output::open(Destination::append(&path)).unwrap();
        out.write_all(b"c\n").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\n");
        // No temporary file left beside it (staged outputs: tests/integration/output_files.rs).
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
