//! Log output that never makes a request wait for stderr.
//!
//! Log lines are appended to a buffer of the calling thread's own (see
//! [`crate::serve::shard`]); a background thread writes the buffers out in batches.
//! Under load the request path makes no system call and writes no cache
//! line another worker writes: only the first line after a flush may wake
//! the writer thread, which then waits [`BATCH_WINDOW`] for more lines
//! before it takes every thread's buffer (leaving an empty one in its place)
//! and writes them out. Lines from one thread keep their order; lines
//! from different threads within one batch may not, and carry their own
//! timestamps.
//!
//! The buffers are bounded: when the output cannot keep up (a terminal that
//! is scrolled back, a pipe nobody reads) lines are dropped rather than
//! memory growing without end, and the number dropped is reported once the
//! output drains. Dropping the [`FlushGuard`] writes out what is left.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::serve::shard::{self, Padded};
use crate::serve::sync::lock;

/// How long the writer thread gathers lines after the first one before it
/// writes them out: short enough for a person watching the terminal, long
/// enough that a busy server writes a few hundred lines per system call.
pub const BATCH_WINDOW: Duration = Duration::from_millis(20);

/// Most bytes one thread's buffer keeps waiting for the output; lines
/// beyond are dropped.
const CAPACITY: usize = 4 * 1024 * 1024;

/// A shared, buffered log output; cheap to clone.
#[derive(Debug, Clone)]
pub struct LogSink {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    buffers: Box<[Padded<Mutex<Vec<u8>>>]>,
    /// Set while the writer thread waits for a first line; read-mostly, so
    /// appenders can look at it without taking its cache line away.
    waiting: AtomicBool,
    /// Guards `closed` and the writer's waiting.
    state: Mutex<bool>,
    wake: Condvar,
    dropped: AtomicU64,
}

/// Writes out what is left and stops the writer thread when dropped.
#[derive(Debug)]
#[must_use = "dropping the guard stops the log writer"]
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl LogSink {
    /// A sink writing to `output` from a background thread.
    pub fn new(output: impl Write + Send + 'static) -> io::Result<(LogSink, FlushGuard)> {
        let shared = Arc::new(Shared {
            buffers: (0..shard::SHARDS)
                .map(|_| Padded(Mutex::new(Vec::new())))
                .collect(),
            waiting: AtomicBool::new(false),
            state: Mutex::new(false),
            wake: Condvar::new(),
            dropped: AtomicU64::new(0),
        });
        let thread = std::thread::Builder::new()
            .name("docmock-log".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || write_batches(&shared, output)
            })?;
        Ok((
            LogSink {
                shared: Arc::clone(&shared),
            },
            FlushGuard {
                shared,
                thread: Some(thread),
            },
        ))
    }

    /// Appends `bytes` (one or more whole lines).
    pub fn append(&self, bytes: &[u8]) {
        self.append_with(bytes.len(), |buffer| buffer.extend_from_slice(bytes));
    }

    /// Appends what `write` adds to the buffer (whole lines, about `size`
    /// bytes), formatting in place rather than copying a finished line.
    pub fn append_with(&self, size: usize, write: impl FnOnce(&mut Vec<u8>)) {
        let mut buffer = lock(&self.shared.buffers[shard::index()].0);
        if buffer.len() + size > CAPACITY {
            drop(buffer);
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let was_empty = buffer.is_empty();
        write(&mut buffer);
        drop(buffer);
        // Pairs with the writer's store before it looks at the buffers: one
        // of the two sees the other.
        if was_empty && self.shared.waiting.load(Ordering::SeqCst) {
            let _state = lock(&self.shared.state);
            self.shared.wake.notify_one();
        }
    }
}

impl Shared {
    fn anything_pending(&self) -> bool {
        self.buffers.iter().any(|b| !lock(&b.0).is_empty())
            || self.dropped.load(Ordering::Relaxed) > 0
    }
}

fn write_batches(shared: &Shared, mut output: impl Write) {
    // Each shard's buffer is swapped for an empty one of these and written
    // out from here, so that lines are not copied on their way out and the
    // two buffers of a shard take turns.
    let mut taken: Vec<Vec<u8>> = shared.buffers.iter().map(|_| Vec::new()).collect();
    loop {
        let closed = {
            let mut closed = lock(&shared.state);
            loop {
                if *closed {
                    break;
                }
                shared.waiting.store(true, Ordering::SeqCst);
                if shared.anything_pending() {
                    break;
                }
                closed = shared.wake.wait(closed).unwrap_or_else(|p| p.into_inner());
            }
            shared.waiting.store(false, Ordering::SeqCst);
            *closed
        };
        if !closed {
            std::thread::sleep(BATCH_WINDOW);
        }
        for (buffer, taken) in shared.buffers.iter().zip(&mut taken) {
            std::mem::swap(&mut *lock(&buffer.0), taken);
        }
        let dropped = shared.dropped.swap(0, Ordering::Relaxed);
        // A log that cannot be written must not take the server down.
        let _ = write_batch(&mut output, &taken, dropped);
        for buffer in &mut taken {
            buffer.clear();
            if buffer.capacity() > 1024 * 1024 {
                buffer.shrink_to(64 * 1024);
            }
        }
        if closed {
            return;
        }
    }
}

/// Writes the lines taken from the shards, and says how many were dropped.
fn write_batch(output: &mut impl Write, taken: &[Vec<u8>], dropped: u64) -> io::Result<()> {
    for lines in taken.iter().filter(|lines| !lines.is_empty()) {
        output.write_all(lines)?;
    }
    if dropped > 0 {
        writeln!(
            output,
            "docmock: {dropped} log lines were dropped because the log output could not keep up"
        )?;
    }
    output.flush()
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        *lock(&self.shared.state) = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Write for &LogSink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.append(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogSink {
    type Writer = &'a LogSink;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output the test can read while the sink writes to it.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .expect("not poisoned")
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_from_many_threads_are_written_whole_and_in_order_per_thread() {
        let output = Captured::default();
        let (sink, guard) = LogSink::new(output.clone()).expect("thread starts");
        std::thread::scope(|scope| {
            for t in 0..4 {
                let sink = sink.clone();
                scope.spawn(move || {
                    for i in 0..1000 {
                        sink.append(format!("thread {t} line {i}\n").as_bytes());
                    }
                });
            }
        });
        drop(guard);
        let text =
            String::from_utf8(output.0.lock().expect("not poisoned").clone()).expect("UTF-8");
        assert_eq!(text.lines().count(), 4000);
        for t in 0..4 {
            let numbers: Vec<usize> = text
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("thread {t} line ")))
                .map(|n| n.parse().expect("number"))
                .collect();
            assert_eq!(numbers, (0..1000).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_line_appears_without_waiting_for_more() {
        let output = Captured::default();
        let (sink, _guard) = LogSink::new(output.clone()).expect("thread starts");
        sink.append(b"alone\n");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while output.0.lock().expect("not poisoned").is_empty() {
            assert!(std::time::Instant::now() < deadline, "never written");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            output.0.lock().expect("not poisoned").as_slice(),
            b"alone\n"
        );
    }

    #[test]
    fn an_output_that_cannot_keep_up_loses_lines_not_memory() {
        /// Holds every write until the test opens the gate.
        struct Gated(Arc<(Mutex<bool>, Condvar)>, Captured);
        impl Write for Gated {
            fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
                let (open, cond) = &*self.0;
                let mut open = open.lock().expect("not poisoned");
                while !*open {
                    open = cond.wait(open).expect("not poisoned");
                }
                self.1.write(bytes)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let output = Captured::default();
        let (sink, guard) = LogSink::new(Gated(Arc::clone(&gate), output.clone())).expect("starts");
        let mut line = vec![b'x'; 1023];
        line.push(b'\n');
        let sent = 3 * CAPACITY / line.len();
        for _ in 0..sent {
            sink.append(&line);
            assert!(lock(&sink.shared.buffers[shard::index()].0).len() <= CAPACITY);
        }
        *gate.0.lock().expect("not poisoned") = true;
        gate.1.notify_all();
        drop(guard);
        let text =
            String::from_utf8(output.0.lock().expect("not poisoned").clone()).expect("UTF-8");
        let written = text.lines().filter(|l| l.starts_with('x')).count();
        assert!(written < sent, "{written} of {sent} lines written");
        assert!(
            text.contains("log lines were dropped"),
            "the loss is reported"
        );
    }
}
