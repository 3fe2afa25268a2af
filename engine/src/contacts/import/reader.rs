//! Reading the uploaded file: a synchronous CSV reader on a blocking thread checks each line
//! and hands COPY text to the async side in bounded chunks, so a file of any size is read
//! with a few hundred kilobytes of memory and the database ingests while the next chunk is
//! being parsed.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc::Sender;

use super::copy::{CopyChunk, raw_line};
use super::row::{RowPlan, is_blank_record};
use super::sniff::FileShape;
use crate::contacts::ContactError;

/// Read buffer of the CSV reader.
const READ_BUFFER: usize = 256 * 1024;

/// Counters of the reading thread, read by the progress reporter.
#[derive(Debug, Default)]
pub struct ReadProgress {
    bytes: AtomicU64,
    rows: AtomicU64,
    invalid: AtomicU64,
}

impl ReadProgress {
    fn store(&self, summary: &ReadSummary) {
        self.bytes.store(summary.bytes, Ordering::Relaxed);
        self.rows.store(summary.rows, Ordering::Relaxed);
        self.invalid.store(summary.invalid, Ordering::Relaxed);
    }

    /// The counters as last published by the reader.
    pub fn snapshot(&self) -> ReadSummary {
        ReadSummary {
            bytes: self.bytes.load(Ordering::Relaxed),
            rows: self.rows.load(Ordering::Relaxed),
            invalid: self.invalid.load(Ordering::Relaxed),
        }
    }
}

/// How far the reader got: bytes of the file, data lines (blank lines not counted) and the
/// refused ones among them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    pub bytes: u64,
    pub rows: u64,
    pub invalid: u64,
}

/// Reads the whole file into COPY chunks sent on `out`. Stops early (without error) when
/// the receiver is gone — the import was cancelled or the database side failed and will
/// report why. An I/O error reading the file fails the import.
pub fn encode_file(
    path: &Path,
    shape: &FileShape,
    plan: &RowPlan,
    out: &Sender<Vec<u8>>,
    progress: &ReadProgress,
) -> Result<ReadSummary, ContactError> {
    let file = std::fs::File::open(path)?;
    let ending = FileEnd::of(&file)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(shape.delimiter)
        .has_headers(shape.has_header)
        .flexible(true)
        .buffer_capacity(READ_BUFFER)
        .from_reader(file);
    let mut record = csv::ByteRecord::new();
    let mut chunk = CopyChunk::new();
    let mut summary = ReadSummary::default();
    while reader.read_byte_record(&mut record).map_err(|e| ContactError::Csv(e.to_string()))? {
        if is_blank_record(&record) {
            continue;
        }
        summary.rows += 1;
        let line = start_line(&record, reader.position(), shape.crlf, &ending);
        match plan.check(&record) {
            Ok(row) => chunk.push_valid(line, &row),
            Err(reason) => {
                summary.invalid += 1;
                chunk.push_invalid(line, &reason, &raw_line(&record, shape.delimiter));
            }
        }
        if chunk.is_full() {
            summary.bytes = reader.position().byte();
            progress.store(&summary);
            if out.blocking_send(chunk.take()).is_err() {
                return Ok(summary);
            }
        }
    }
    summary.bytes = reader.position().byte();
    progress.store(&summary);
    if !chunk.is_empty() {
        // A closed receiver here means the same as above; the caller knows why.
        let _ = out.blocking_send(chunk.take());
    }
    Ok(summary)
}

/// How the file ends, for numbering its last line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileEnd {
    pub size: u64,
    pub ends_with_lf: bool,
}

impl FileEnd {
    fn of(file: &std::fs::File) -> std::io::Result<Self> {
        use std::os::unix::fs::FileExt;
        let size = file.metadata()?.len();
        let mut last = [0u8; 1];
        let ends_with_lf = size > 0 && file.read_at(&mut last, size - 1)? == 1 && last[0] == b'\n';
        Ok(Self { size, ends_with_lf })
    }
}

/// The 1-based line of the file a record starts on, from the reader's position just after
/// it. (The position the reader stores on the record itself is where it started looking,
/// before any blank lines it skipped, so it cannot be used.) The reader counts the line
/// feeds it consumed: those inside quoted fields, plus the record's own terminator when the
/// file ends lines with LF — with CRLF it stops at the CR and leaves the LF for the next
/// read, and the last line of a file may have no terminator at all.
pub fn start_line(record: &csv::ByteRecord, after: &csv::Position, crlf: bool, ending: &FileEnd) -> u64 {
    let inside: u64 = record.iter().map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64).sum();
    let terminated = !crlf && (after.byte() < ending.size || ending.ends_with_lf);
    after.line().saturating_sub(inside + u64::from(terminated)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line numbers of every record of `text`, as the import computes them.
    fn lines(text: &str) -> Vec<u64> {
        let crlf = text.contains("\r\n");
        let ending = FileEnd { size: text.len() as u64, ends_with_lf: text.ends_with('\n') };
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            out.push(start_line(&record, reader.position(), crlf, &ending));
        }
        out
    }

    #[test]
    fn records_are_numbered_by_the_line_they_start_on() {
        let text = "h1,h2\na,1\n\n\nb,2\n\"multi\nline\",3\nc,4\n";
        assert_eq!(lines(text), vec![2, 5, 6, 8]);
        assert_eq!(lines(&text.replace('\n', "\r\n")), vec![2, 5, 6, 8]);
        assert_eq!(lines(text.trim_end()), vec![2, 5, 6, 8]);
        assert_eq!(lines(text.replace('\n', "\r\n").trim_end()), vec![2, 5, 6, 8]);
    }
}
