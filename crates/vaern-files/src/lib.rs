//! The file store for case documents.
//!
//! Files are stored by the SHA-256 of their content (`sha256/ab/abcdef…`): the same content is
//! stored once, a stored file is never overwritten, and every read is checked against the hash,
//! so a file changed or damaged behind Værn's back is refused rather than shown. The bytes live
//! in an [`object_store`]: a local directory by default, in memory for tests, and an
//! S3-compatible bucket in production when built with the `s3` feature.
//!
//! The database row that refers to a file is written after the file: a row never points to a
//! missing file. A failed transaction can leave a file no row refers to; it holds nothing anyone
//! can reach and is reported by [`FileStore::unreferenced`] (`vaern files check`).

use std::{fmt, path::Path, sync::Arc};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, local::LocalFileSystem,
    memory::InMemory, path::Path as ObjectPath,
};
use sha2::{Digest, Sha256};

/// The SHA-256 of a file's content, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentHash(String);

impl ContentHash {
    /// The hash of `content`.
    pub fn of(content: &[u8]) -> Self {
        Self::from_digest(Sha256::digest(content).as_slice())
    }

    fn from_digest(digest: &[u8]) -> Self {
        use fmt::Write;
        let mut hex = String::with_capacity(64);
        for byte in digest {
            write!(hex, "{byte:02x}").expect("writing to a String cannot fail");
        }
        Self(hex)
    }

    /// A hash as stored in the database; anything but 64 lowercase hex digits is refused.
    pub fn parse(hex: &str) -> Option<Self> {
        (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(hex.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn location(&self) -> ObjectPath {
        ObjectPath::from(format!("sha256/{}/{}", &self.0[..2], self.0))
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file {0} is not in the file store")]
    Missing(ContentHash),
    #[error("the file {0} does not match its hash: it was changed or damaged in the file store")]
    Corrupt(ContentHash),
    #[error("file store location {0:?} is not supported")]
    Location(String),
    #[error("file store: {0}")]
    Store(#[from] object_store::Error),
    #[error("file store directory: {0}")]
    Io(#[from] std::io::Error),
}

/// A file's bytes as they are read, verified against the hash before the last chunk is let
/// through: a damaged file ends in an error instead of arriving whole but wrong.
pub type VerifiedStream = BoxStream<'static, Result<Bytes, FileError>>;

/// Where case files are kept.
#[derive(Clone)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl FileStore {
    /// Opens the store `VAERN_FILES` names: a directory path (created if missing), `memory:`
    /// (nothing survives a restart; for tests and demos), or `s3://bucket/prefix` with the
    /// usual `AWS_*` variables (only in a build with the `s3` feature).
    pub fn open(location: &str) -> Result<Self, FileError> {
        if location == "memory:" {
            return Ok(Self::in_memory());
        }
        if let Some(rest) = location.strip_prefix("s3://") {
            return s3(location, rest);
        }
        Self::local(Path::new(
            location.strip_prefix("file://").unwrap_or(location),
        ))
    }

    /// A store in a local directory.
    pub fn local(dir: &Path) -> Result<Self, FileError> {
        std::fs::create_dir_all(dir)?;
        let store = LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self {
            store: Arc::new(store),
            description: format!("lokal mappe {}", dir.display()),
        })
    }

    /// A store that forgets everything when dropped.
    pub fn in_memory() -> Self {
        Self {
            store: Arc::new(InMemory::new()),
            description: "hukommelse (forsvinder ved genstart)".into(),
        }
    }

    /// Where the files are, for the operator.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Stores `content` under its hash; storing the same content again changes nothing.
    pub async fn put(&self, content: Bytes) -> Result<ContentHash, FileError> {
        let hash = ContentHash::of(&content);
        let options = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(&hash.location(), PutPayload::from(content), options)
            .await
        {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(hash),
            Err(error) => Err(error.into()),
        }
    }

    /// The file's bytes as a stream, verified as they pass (see [`VerifiedStream`]).
    pub async fn stream(&self, hash: &ContentHash) -> Result<VerifiedStream, FileError> {
        let found = match self.store.get(&hash.location()).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(FileError::Missing(hash.clone()));
            }
            Err(error) => return Err(error.into()),
        };
        Ok(verified(found.into_stream().map_err(FileError::from), hash.clone()).boxed())
    }

    /// The whole file, verified.
    pub async fn read(&self, hash: &ContentHash) -> Result<Bytes, FileError> {
        let chunks: Vec<Bytes> = self.stream(hash).await?.try_collect().await?;
        Ok(chunks.concat().into())
    }

    /// Whether the file is present and intact (for the operator's check of the store).
    pub async fn verify(&self, hash: &ContentHash) -> Result<(), FileError> {
        let mut stream = self.stream(hash).await?;
        while stream.try_next().await?.is_some() {}
        Ok(())
    }

    /// Files in the store that `is_referenced` does not know: left by a transaction that
    /// failed after the file was written.
    pub async fn unreferenced(
        &self,
        is_referenced: impl Fn(&ContentHash) -> bool,
    ) -> Result<Vec<ContentHash>, FileError> {
        let mut found = Vec::new();
        let mut listing = self.store.list(Some(&ObjectPath::from("sha256")));
        while let Some(meta) = listing.try_next().await? {
            if let Some(hash) = meta.location.filename().and_then(ContentHash::parse)
                && !is_referenced(&hash)
            {
                found.push(hash);
            }
        }
        Ok(found)
    }
}

#[cfg(feature = "s3")]
fn s3(location: &str, rest: &str) -> Result<FileStore, FileError> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let store = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()?;
    let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
        Arc::new(store)
    } else {
        Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
    };
    Ok(FileStore {
        store,
        description: location.to_owned(),
    })
}

#[cfg(not(feature = "s3"))]
fn s3(location: &str, _rest: &str) -> Result<FileStore, FileError> {
    Err(FileError::Location(format!(
        "{location}: this build has no S3 support; build with `--features s3`"
    )))
}

/// Passes chunks on one step behind, hashing them; at the end the held-back last chunk goes
/// out only if the hash matches.
fn verified(
    chunks: impl Stream<Item = Result<Bytes, FileError>> + Send + 'static,
    expected: ContentHash,
) -> impl Stream<Item = Result<Bytes, FileError>> + Send + 'static {
    struct State<S> {
        chunks: S,
        hasher: Sha256,
        held: Option<Bytes>,
        expected: ContentHash,
        finished: bool,
    }
    let state = State {
        chunks: Box::pin(chunks),
        hasher: Sha256::new(),
        held: None,
        expected,
        finished: false,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        if state.finished {
            return None;
        }
        loop {
            match state.chunks.next().await {
                Some(Ok(chunk)) => {
                    state.hasher.update(&chunk);
                    if let Some(previous) = state.held.replace(chunk) {
                        return Some((Ok(previous), state));
                    }
                }
                Some(Err(error)) => {
                    state.finished = true;
                    return Some((Err(error), state));
                }
                None => {
                    state.finished = true;
                    let actual =
                        ContentHash::from_digest(state.hasher.clone().finalize().as_slice());
                    if actual != state.expected {
                        tracing::error!(file = %state.expected, "file does not match its hash");
                        return Some((Err(FileError::Corrupt(state.expected.clone())), state));
                    }
                    return state.held.take().map(|last| (Ok(last), state));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn round_trip(store: FileStore) {
        let content = Bytes::from(vec![7u8; 3 * 1024 * 1024 + 17]);
        let hash = store.put(content.clone()).await.unwrap();
        assert_eq!(hash, ContentHash::of(&content));
        assert_eq!(
            store.put(content.clone()).await.unwrap(),
            hash,
            "idempotent"
        );
        assert_eq!(store.read(&hash).await.unwrap(), content);
        store.verify(&hash).await.unwrap();
        let other = ContentHash::of(b"never stored");
        assert!(matches!(
            store.read(&other).await,
            Err(FileError::Missing(_))
        ));
        assert!(store.unreferenced(|h| h == &hash).await.unwrap().is_empty());
        assert_eq!(store.unreferenced(|_| false).await.unwrap(), vec![hash]);
    }

    #[tokio::test]
    async fn files_round_trip_in_memory() {
        round_trip(FileStore::in_memory()).await;
    }

    #[tokio::test]
    async fn files_round_trip_in_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        round_trip(FileStore::open(dir.path().join("filer").to_str().unwrap()).unwrap()).await;
    }

    #[tokio::test]
    async fn a_damaged_file_is_refused_and_its_last_chunk_withheld() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path()).unwrap();
        let content = Bytes::from_static(b"%PDF-1.7 afgoerelse");
        let hash = store.put(content).await.unwrap();
        let path = dir
            .path()
            .join("sha256")
            .join(&hash.as_str()[..2])
            .join(hash.as_str());
        std::fs::write(&path, b"%PDF-1.7 afgoerelsX").unwrap();

        let mut stream = store.stream(&hash).await.unwrap();
        let mut delivered = Vec::new();
        let mut failure = None;
        while let Some(item) = stream.next().await {
            match item {
                Ok(chunk) => delivered.extend_from_slice(&chunk),
                Err(error) => failure = Some(error),
            }
        }
        assert!(matches!(failure, Some(FileError::Corrupt(_))));
        assert!(delivered.len() < 19, "the damaged file never arrives whole");
        assert!(matches!(
            store.verify(&hash).await,
            Err(FileError::Corrupt(_))
        ));
    }

    #[test]
    fn hashes_parse_only_as_stored() {
        let hash = ContentHash::of(b"abc");
        assert_eq!(
            hash.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(ContentHash::parse(hash.as_str()), Some(hash));
        assert_eq!(ContentHash::parse("../../etc/passwd"), None);
        assert_eq!(ContentHash::parse(&"A".repeat(64)), None);
    }

    #[cfg(not(feature = "s3"))]
    #[test]
    fn s3_needs_the_feature() {
        assert!(matches!(
            FileStore::open("s3://bucket/prefix"),
            Err(FileError::Location(_))
        ));
    }
}
