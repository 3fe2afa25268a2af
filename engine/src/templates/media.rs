//! The image library: pictures uploaded from the editor, kept as files under the data
//! directory (served at `/media/<stored name>`) with a row each for the picker.
//!
//! A file is written under a temporary name and renamed into place, so a reader never sees
//! half an image; identical uploads (same SHA-256) share one row and one file.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use model::templates::MediaFile;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tokio::io::AsyncWriteExt;

use super::image_header::{ImageType, dimensions, sniff};
use super::{Result, TemplateError};

/// Largest image accepted: images in emails should be far smaller (every recipient
/// downloads them), and the bound keeps one upload's memory and disk use modest.
pub const MAX_MEDIA_BYTES: usize = 10 * 1024 * 1024;
/// Where the server serves the directory.
pub const MEDIA_URL_PREFIX: &str = "/media/";
/// Longest file name kept for display.
const MAX_FILE_NAME_CHARS: usize = 200;

/// The `media_file` table and the files in `dir` (`<data dir>/media`).
#[derive(Clone, Debug)]
pub struct Media {
    pool: PgPool,
    dir: PathBuf,
}

#[derive(sqlx::FromRow)]
struct MediaRow {
    id: i64,
    file_name: String,
    stored_name: String,
    content_type: String,
    size_bytes: i64,
    width: Option<i32>,
    height: Option<i32>,
    created_at: DateTime<Utc>,
}

impl From<MediaRow> for MediaFile {
    fn from(r: MediaRow) -> Self {
        Self {
            id: r.id,
            file_name: r.file_name,
            url: format!("{MEDIA_URL_PREFIX}{}", r.stored_name),
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            width: r.width,
            height: r.height,
            created_at: r.created_at,
        }
    }
}

/// One checked upload on its way to the disk and the table.
struct Upload<'a> {
    file_name: &'a str,
    bytes: &'a [u8],
    by: &'a str,
    kind: ImageType,
    width: Option<i32>,
    height: Option<i32>,
    sha256: &'a str,
}

const COLUMNS: &str = "id, file_name, stored_name, content_type, size_bytes, width, height, created_at";

impl Media {
    /// Files live in `dir` (created on the first upload).
    pub fn new(pool: PgPool, dir: PathBuf) -> Self {
        Self { pool, dir }
    }

    /// Stores an uploaded image. Refused when larger than [`MAX_MEDIA_BYTES`] or when the
    /// bytes are not PNG, JPEG, GIF or WebP (whatever the name or the browser claim). The
    /// same bytes uploaded again return the row already stored.
    pub async fn store(&self, file_name: &str, bytes: &[u8], by: &str) -> Result<MediaFile> {
        let file_name = clean_file_name(file_name);
        if bytes.len() > MAX_MEDIA_BYTES {
            return Err(TemplateError::MediaTooLarge { max: MAX_MEDIA_BYTES });
        }
        let kind = sniff(bytes).ok_or_else(|| TemplateError::MediaType(file_name.clone()))?;
        let (width, height) = match dimensions(kind, bytes) {
            Some((w, h)) => (i32::try_from(w).ok(), i32::try_from(h).ok()),
            None => (None, None),
        };
        let sha256 = sha256_hex(bytes);
        let upload = Upload { file_name: &file_name, bytes, by, kind, width, height, sha256: &sha256 };
        // A second pass only when a simultaneous upload of the same bytes won the insert and
        // its row was deleted again before this one could read it.
        for _ in 0..2 {
            if let Some(row) = self.by_sha256(&sha256).await? {
                self.restore_missing_file(&row.stored_name, bytes).await?;
                return Ok(row.into());
            }
            if let Some(row) = self.insert(&upload).await? {
                return Ok(row.into());
            }
        }
        Err(TemplateError::Io(std::io::Error::other("the image was deleted while it was being uploaded")))
    }

    /// Writes the file under a new random name, then its row; `None` (and no file) when a
    /// row with the same hash appeared in the meantime.
    async fn insert(&self, upload: &Upload<'_>) -> Result<Option<MediaRow>> {
        let stored_name = format!("{}.{}", random_hex(16), upload.kind.extension());
        self.write_file(&stored_name, upload.bytes).await?;
        let inserted: std::result::Result<Option<MediaRow>, sqlx::Error> = sqlx::query_as(&format!(
            "INSERT INTO media_file (file_name, stored_name, content_type, size_bytes, width, height, sha256, \
             uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sha256) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(upload.file_name)
        .bind(&stored_name)
        .bind(upload.kind.content_type())
        .bind(i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX))
        .bind(upload.width)
        .bind(upload.height)
        .bind(upload.sha256)
        .bind(upload.by)
        .fetch_optional(&self.pool)
        .await;
        if !matches!(inserted, Ok(Some(_))) {
            self.remove_file(&stored_name).await;
        }
        Ok(inserted?)
    }

    /// Every image, newest first, for the picker.
    pub async fn list(&self) -> Result<Vec<MediaFile>> {
        let rows: Vec<MediaRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM media_file ORDER BY created_at DESC, id DESC"))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(MediaFile::from).collect())
    }

    /// One image.
    pub async fn get(&self, id: i64) -> Result<MediaFile> {
        let row: Option<MediaRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM media_file WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(MediaFile::from).ok_or(TemplateError::MediaNotFound(id))
    }

    /// Removes an image's row and file. Templates and emails already sent that show it lose
    /// the picture, so the picker should say where it is used before calling this.
    pub async fn delete(&self, id: i64) -> Result<()> {
        let stored: Option<String> = sqlx::query_scalar("DELETE FROM media_file WHERE id = $1 RETURNING stored_name")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let stored = stored.ok_or(TemplateError::MediaNotFound(id))?;
        self.remove_file(&stored).await;
        Ok(())
    }

    /// The file to serve for `/media/<stored_name>`, only for names this library makes (32
    /// lower-case hex digits and a known extension): nothing else, such as `../x.png`, can
    /// name a path outside the directory.
    pub fn path_of(&self, stored_name: &str) -> Option<PathBuf> {
        is_stored_name(stored_name).then(|| self.dir.join(stored_name))
    }

    async fn by_sha256(&self, sha256: &str) -> Result<Option<MediaRow>> {
        let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM media_file WHERE sha256 = $1"))
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Writes the file again when a de-duplicated upload finds its row without the file
    /// (lost in a restore from backup, say), so the re-upload repairs the image.
    async fn restore_missing_file(&self, stored_name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(stored_name);
        if !tokio::fs::try_exists(&path).await? {
            self.write_file(stored_name, bytes).await?;
        }
        Ok(())
    }

    /// Writes `bytes` to a temporary file in the directory, flushes it to disk, then renames
    /// it to `stored_name` (atomic on one file system).
    async fn write_file(&self, stored_name: &str, bytes: &[u8]) -> Result<()> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let temp = self.dir.join(format!(".{stored_name}.{}.tmp", random_hex(8)));
        let written = write_synced(&temp, bytes).await;
        let renamed = match written {
            Ok(()) => tokio::fs::rename(&temp, self.dir.join(stored_name)).await,
            Err(e) => Err(e),
        };
        if let Err(e) = renamed {
            tokio::fs::remove_file(&temp).await.ok();
            return Err(e.into());
        }
        Ok(())
    }

    /// Removes a file whose row is gone; one already missing is fine, other failures are
    /// logged (the row is what the library shows, an orphaned file only costs disk).
    async fn remove_file(&self, stored_name: &str) {
        if let Err(e) = tokio::fs::remove_file(self.dir.join(stored_name)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = stored_name, error = %e, "cannot remove an image file");
        }
    }
}

async fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = tokio::fs::File::create(path).await?;
    file.write_all(bytes).await?;
    file.sync_all().await
}

/// True for `<32 lower-case hex digits>.<png|jpg|gif|webp>`, the names [`Media::store`] makes.
pub fn is_stored_name(name: &str) -> bool {
    let Some((stem, extension)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && matches!(extension, "png" | "jpg" | "gif" | "webp")
}

/// The name the browser sent, without any directory part or control characters; "image"
/// when nothing is left.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = base.chars().filter(|c| !c.is_control()).take(MAX_FILE_NAME_CHARS).collect();
    let name = name.trim();
    if name.is_empty() { "image".to_owned() } else { name.to_owned() }
}

/// Lower-case hex of the SHA-256 of `bytes` (the de-duplication key).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `n` random bytes as `2 * n` lower-case hex digits.
fn random_hex(n: usize) -> String {
    let mut raw = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut raw);
    hex(&raw)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_names_are_served() {
        let good = format!("{}.png", "0123456789abcdef".repeat(2));
        assert!(is_stored_name(&good));
        assert!(is_stored_name(&format!("{}.webp", "a".repeat(32))));
        for bad in [
            "../x.png".to_owned(),
            format!("../{}.png", "a".repeat(29)),
            format!("{}.png", "A".repeat(32)),
            format!("{}.svg", "a".repeat(32)),
            format!("{}.png.png", "a".repeat(32)),
            format!("{}.png", "a".repeat(31)),
            format!("{}/.png", "a".repeat(31)),
            String::new(),
        ] {
            assert!(!is_stored_name(&bad), "{bad}");
        }
    }

    #[test]
    fn generated_names_pass_the_check() {
        let name = format!("{}.jpg", random_hex(16));
        assert!(is_stored_name(&name), "{name}");
    }

    #[test]
    fn hashes_are_lower_case_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(clean_file_name("C:\\Users\\ann\\logo.png"), "logo.png");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name(" \n"), "image");
    }
}
