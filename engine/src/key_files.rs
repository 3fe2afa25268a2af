//! Writing secrets to files other daemons read (DKIM keys for Rspamd, certificates for
//! Postfix and Dovecot): atomically, so a reader never sees half a key, and created with the
//! final mode, so a private key is never readable by others, not even for a moment.

use std::path::Path;

/// Writes `bytes` to `path` through a uniquely named temporary file (two writers may run at
/// once) that gets `mode` (and group `group`, for a daemon running as another user) before it
/// is renamed into place. On failure the temporary file is removed.
pub async fn write_atomically(path: &Path, bytes: &[u8], mode: u32, group: Option<u32>) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let unique = format!("{}.{:x}.tmp", std::process::id(), rand::random::<u64>());
    let tmp = path.with_extension(unique);
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(mode);
    let written = async {
        let mut file = options.open(&tmp).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        drop(file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The umask may have narrowed the mode; set it exactly.
            tokio::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)).await?;
            if group.is_some() {
                std::os::unix::fs::chown(&tmp, None, group)?;
            }
        }
        tokio::fs::rename(&tmp, path).await
    }
    .await;
    if written.is_err() {
        // Best effort: do not leave key material lying around under a temporary name.
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_written_with_the_requested_mode() {
        let dir = std::env::temp_dir().join(format!("bm-key-files-{:x}", rand::random::<u64>()));
        tokio::fs::create_dir_all(&dir).await.unwrap();
        let key = dir.join("privkey.pem");
        write_atomically(&key, b"secret\n", 0o600, None).await.unwrap();
        write_atomically(&key, b"newer\n", 0o600, None).await.unwrap();
        assert_eq!(std::fs::read_to_string(&key).unwrap(), "newer\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Only the target is left: no temporary files.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
