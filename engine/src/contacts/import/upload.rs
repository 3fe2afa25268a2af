//! The uploaded file on disk: written as it arrives (never held in memory, no limit but the
//! disk), read back from the start for the preview and the run, removed when its import ends.

use std::io::Read;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use super::sniff::{HEAD_BYTES, Sniffed, sniff};

/// Write buffer between the request body and the file.
const WRITE_BUFFER: usize = 1024 * 1024;
/// Longest file name kept (it is shown in lists and in consent sources).
const MAX_NAME_CHARS: usize = 200;

/// The name the browser sent, without any directory part or control characters; a default
/// when nothing is left.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = base.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    let name = name.trim();
    if name.is_empty() { "import.csv".to_owned() } else { name.to_owned() }
}

/// Streams `body` into a new file at `path`; returns the bytes written.
pub async fn save<S>(path: &Path, mut body: S) -> std::io::Result<u64>
where
    S: Stream<Item = std::io::Result<Bytes>> + Unpin + Send,
{
    let file = tokio::fs::File::create(path).await?;
    let mut out = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut size: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        out.write_all(&chunk).await?;
        size += chunk.len() as u64;
    }
    out.flush().await?;
    Ok(size)
}

/// The first [`HEAD_BYTES`] of the file, and whether that is all of it.
pub async fn read_head(path: &Path) -> std::io::Result<(Vec<u8>, bool)> {
    let path: PathBuf = path.to_owned();
    tokio::task::spawn_blocking(move || -> std::io::Result<(Vec<u8>, bool)> {
        let mut head = Vec::with_capacity(HEAD_BYTES + 1);
        std::fs::File::open(&path)?.take(HEAD_BYTES as u64 + 1).read_to_end(&mut head)?;
        let complete = head.len() <= HEAD_BYTES;
        head.truncate(HEAD_BYTES);
        Ok((head, complete))
    })
    .await
    .map_err(|e| std::io::Error::other(e.to_string()))?
}

/// The guesses about the file (delimiter, header, preview rows).
pub async fn sniff_file(path: &Path) -> std::io::Result<Sniffed> {
    let (head, complete) = read_head(path).await?;
    Ok(sniff(&head, complete))
}

/// Removes an upload whose import has ended; a file already gone is fine.
pub async fn remove(path: &Path) {
    if path.as_os_str().is_empty() {
        return;
    }
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %path.display(), error = %e, "cannot remove an import's uploaded file");
    }
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(clean_file_name("C:\\Users\\ann\\list.csv"), "list.csv");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name(" \n"), "import.csv");
        assert_eq!(clean_file_name("a\u{0}b.csv"), "ab.csv");
    }
}
