//! `quay backup` and `quay restore`: a data dir as one tar archive, taken while the registry
//! serves, and put back into an empty data dir only once every byte of it checks out.
//!
//! Consistency: the database is copied first, as one snapshot (SQLite: `VACUUM INTO`, a read
//! transaction writers do not wait for; PostgreSQL: every table by `COPY` in one REPEATABLE READ
//! read-only transaction). Blobs are content-addressed and never change once stored, so every
//! blob the snapshot references is still there when it is copied, provided nothing deletes blobs
//! meanwhile: the backup holds garbage collection's job lease for its whole run (the background
//! job, `quay gc` and `quay fsck --fix` take the same lease). Blobs stored after the snapshot may
//! be copied too; restored, they are orphans that `quay fsck --fix` removes.
//!
//! The archive holds the data dir's own layout (`config.yaml` names the database and storage
//! relative to it), uploads in progress left out, and `quay-backup.json` last: the SHA-256 of
//! every file that is not a blob, and how many blobs and bytes there are. A blob's name is its
//! checksum.

use std::io::{Read as _, Write as _};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// The archive's table of contents, its last entry.
const MANIFEST: &str = "quay-backup.json";
const FORMAT: u32 = 1;

/// The files of a data dir besides its database and storage, with the mode each is restored with
/// (`../shared/docs/appliance-contract.md`).
const FILES: [(&str, u32); 9] = [
    ("config.yaml", 0o600),
    ("quay.pem", 0o600),
    ("quay.kid", 0o644),
    ("rootCA.pem", 0o644),
    ("rootCA.key", 0o600),
    ("ssl.cert", 0o644),
    ("ssl.key", 0o600),
    ("ssl.generated", 0o644),
    ("auth/admin-password", 0o600),
];

#[derive(Debug, Serialize, Deserialize)]
struct Contents {
    format: u32,
    /// The program and schema that wrote it.
    version: String,
    schema: String,
    created: String,
    /// SHA-256 of each file that is not a blob, by its path in the archive.
    files: std::collections::BTreeMap<String, String>,
    blobs: u64,
    blob_bytes: u64,
    /// False for the database, keys and config alone (what `quay upgrade` keeps to roll back).
    #[serde(default = "blobs_included")]
    blobs_included: bool,
    /// `sqlite` (the database file), or `postgresql` (each table's rows, `database/TABLE.copy`).
    #[serde(default = "sqlite_engine")]
    engine: String,
    /// PostgreSQL: each table's row count.
    #[serde(default)]
    tables: Vec<(String, u64)>,
    /// Object storage: its name; the blobs stay there and `storage-digests.txt` lists them.
    #[serde(default)]
    remote_storage: Option<String>,
}

fn sqlite_engine() -> String {
    "sqlite".to_owned()
}

fn blobs_included() -> bool {
    true
}

/// What a backup or restore carried.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    pub files: u64,
    pub blobs: u64,
    pub bytes: u64,
}

/// Where a data dir keeps what a backup copies: its database (SQLite inside the data dir, or
/// PostgreSQL) and its blobs (local storage inside the data dir, or object storage, whose digests
/// are listed).
pub struct Layout {
    pub dir: PathBuf,
    pub database: Database,
    pub storage: Storage,
}

pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

pub enum Storage {
    Local(PathBuf),
    /// Object storage, by its name in `DISTRIBUTED_STORAGE_CONFIG`.
    Remote(String),
}

impl Layout {
    pub fn of(loaded: &crate::config::LoadedConfig) -> anyhow::Result<Layout> {
        let dir = loaded.config_dir.clone();
        let database = match loaded.config.database()? {
            crate::config::DatabaseUri::Sqlite(path) if path.starts_with(&dir) => Database::Sqlite(path),
            crate::config::DatabaseUri::Sqlite(path) => bail!(
                "the database {} is outside the data dir {}; quay backup copies a data dir whose database lives in it",
                path.display(),
                dir.display()
            ),
            crate::config::DatabaseUri::Postgres(url) => Database::Postgres(url),
        };
        let storage = match loaded.config.storage()? {
            (_, crate::config::StorageDriver::Local { storage_path }) if storage_path.starts_with(&dir) => {
                Storage::Local(storage_path)
            }
            (name, crate::config::StorageDriver::Local { storage_path }) => bail!(
                "storage `{name}` ({}) is local disk outside the data dir {}; quay backup copies a data dir whose blobs \
                 live in it",
                storage_path.display(),
                dir.display()
            ),
            (name, _) => Storage::Remote(name),
        };
        Ok(Layout { dir, database, storage })
    }

    /// The SQLite database file, when the database is one.
    pub fn sqlite(&self) -> Option<&Path> {
        match &self.database {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }

    /// The schema revision the database is at (`alembic_version`), read without migrating it.
    pub fn schema_revision(&self) -> anyhow::Result<String> {
        let path = self.sqlite().context("the schema revision is read from SQLite databases")?;
        let db = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("cannot open {}", path.display()))?;
        db.query_row("SELECT version_num FROM alembic_version", [], |row| row.get(0))
            .with_context(|| format!("cannot read the schema revision of {}", path.display()))
    }

    fn relative<'a>(&self, path: &'a Path) -> anyhow::Result<&'a Path> {
        path.strip_prefix(&self.dir).with_context(|| format!("{} is outside {}", path.display(), self.dir.display()))
    }
}

/// The database as one consistent snapshot, taken before any blob is copied: a SQLite copy, or
/// PostgreSQL's tables; and, for object storage, the digests of the blobs it stores. Its files
/// are removed when it is dropped.
pub struct Snapshot {
    folder: PathBuf,
    /// (file, name in the archive)
    files: Vec<(PathBuf, String)>,
    tables: Vec<(String, u64)>,
    digests: Option<Vec<String>>,
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Takes the database snapshot of `layout` (the caller holds garbage collection's lease).
pub async fn snapshot(layout: &Layout) -> anyhow::Result<Snapshot> {
    let folder = layout.dir.join(format!(".quay-backup-{}", crate::util::random_token(8)));
    crate::util::create_private_dir(&folder)?;
    let mut snapshot = Snapshot { folder: folder.clone(), files: Vec::new(), tables: Vec::new(), digests: None };
    match &layout.database {
        Database::Sqlite(path) => {
            // `VACUUM INTO`: a read transaction; writers do not wait for it.
            let copy = folder.join("quay.db");
            let db = rusqlite::Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            db.execute("VACUUM INTO ?1", [copy.to_string_lossy().as_ref()])
                .with_context(|| format!("cannot snapshot {}", path.display()))?;
            drop(db);
            let copied = rusqlite::Connection::open(&copy).context("cannot open the database snapshot")?;
            crate::db::queue::free_leases_in_snapshot(&copied).context("cannot free the job leases in the snapshot")?;
            if matches!(layout.storage, Storage::Remote(_)) {
                snapshot.digests = Some(crate::db::transfer::sqlite_blob_digests(&copied)?);
            }
            drop(copied);
            let name = layout.relative(path)?.to_string_lossy().into_owned();
            snapshot.files.push((copy, name));
        }
        Database::Postgres(url) => {
            let tables = folder.join("database");
            crate::util::create_private_dir(&tables)?;
            let (counts, digests) = crate::db::transfer::postgres_snapshot(url, &tables).await?;
            for (table, _) in &counts {
                snapshot.files.push((tables.join(format!("{table}.copy")), format!("database/{table}.copy")));
            }
            snapshot.tables = counts;
            if matches!(layout.storage, Storage::Remote(_)) {
                snapshot.digests = Some(digests);
            }
        }
    }
    if let Some(digests) = &snapshot.digests {
        let list = folder.join("storage-digests.txt");
        let text: String = digests.iter().map(|d| format!("{d}\n")).collect();
        crate::util::write_private_file(&list, text.as_bytes())?;
        snapshot.files.push((list, DIGESTS.to_owned()));
    }
    Ok(snapshot)
}

/// The list of blobs a backup of object storage holds (they stay in the bucket).
const DIGESTS: &str = "storage-digests.txt";

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole data dir: a backup to restore anywhere.
    Everything,
    /// The database, config, keys and certificates without blobs: what an upgrade may change
    /// (blobs are content-addressed and never rewritten), put back by [`restore_metadata`].
    Metadata,
}

/// Writes the backup of `layout` to `to` (via `to.partial`, renamed when complete, 0600: it holds
/// the install's secrets). The caller holds garbage collection's lease. `progress` is told the
/// bytes written so far.
pub fn write(
    layout: &Layout,
    snapshot: &Snapshot,
    to: &Path,
    scope: Scope,
    progress: &dyn Fn(u64),
) -> anyhow::Result<Summary> {
    let partial = PathBuf::from(format!("{}.partial", to.display()));
    let result = write_archive(layout, snapshot, &partial, scope, progress);
    match result {
        Ok(summary) => {
            std::fs::rename(&partial, to)
                .with_context(|| format!("cannot rename {} to {}", partial.display(), to.display()))?;
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn write_archive(
    layout: &Layout,
    snapshot: &Snapshot,
    to: &Path,
    scope: Scope,
    progress: &dyn Fn(u64),
) -> anyhow::Result<Summary> {
    let file = crate::util::create_private_file(to)?;
    let mut archive = tar::Builder::new(std::io::BufWriter::new(file));
    let mut contents = Contents {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        schema: crate::app::SCHEMA_REVISION.to_owned(),
        created: chrono::Utc::now().to_rfc3339(),
        files: Default::default(),
        blobs: 0,
        blob_bytes: 0,
        blobs_included: scope == Scope::Everything,
        engine: if layout.sqlite().is_some() { "sqlite" } else { "postgresql" }.to_owned(),
        tables: snapshot.tables.clone(),
        remote_storage: match &layout.storage {
            Storage::Remote(name) => Some(name.clone()),
            Storage::Local(_) => None,
        },
    };
    let mut summary = Summary::default();
    // The database first (the snapshot): everything copied after it is at least as new.
    let add =
        |archive: &mut tar::Builder<_>, source: &Path, name: &Path, summary: &mut Summary| -> anyhow::Result<String> {
            let mut file = std::fs::File::open(source).with_context(|| format!("cannot read {}", source.display()))?;
            let len = file.metadata()?.len();
            let mut header = tar::Header::new_gnu();
            header.set_size(len);
            header.set_mode(0o600);
            header.set_mtime(0);
            let mut hashing = HashingReader { inner: &mut file, hasher: sha2::Sha256::new() };
            archive
                .append_data(&mut header, name, &mut hashing)
                .with_context(|| format!("cannot write {} into the backup", name.display()))?;
            summary.bytes += len;
            progress(summary.bytes);
            Ok(hex::encode(hashing.hasher.finalize()))
        };
    for (file, name) in &snapshot.files {
        let sum = add(&mut archive, file, Path::new(name), &mut summary)?;
        contents.files.insert(name.clone(), sum);
        summary.files += 1;
    }
    for (name, _) in FILES {
        let path = layout.dir.join(name);
        if path.is_file() {
            let sum = add(&mut archive, &path, Path::new(name), &mut summary)?;
            contents.files.insert(name.to_owned(), sum);
            summary.files += 1;
        }
    }
    // Blobs: `storage/sha256/ab/<hex>`; uploads in progress are not part of the registry yet.
    let (blobs_root, storage_name) = match &layout.storage {
        Storage::Local(path) => (path.join("sha256"), layout.relative(path)?.to_path_buf()),
        Storage::Remote(_) => (PathBuf::new(), PathBuf::new()),
    };
    let local = matches!(layout.storage, Storage::Local(_));
    let prefixes = if scope == Scope::Everything && local { read_dir_sorted(&blobs_root)? } else { Vec::new() };
    for prefix in prefixes {
        for object in read_dir_sorted(&prefix)? {
            let name = storage_name
                .join("sha256")
                .join(prefix.file_name().unwrap_or_default())
                .join(object.file_name().unwrap_or_default());
            let before = summary.bytes;
            let sum = add(&mut archive, &object, &name, &mut summary)?;
            if object.file_name().is_some_and(|n| n.to_string_lossy() != sum) {
                bail!(
                    "the stored blob {} is damaged (its content hashes to {sum}); run `quay fsck --verify`",
                    object.display()
                );
            }
            contents.blobs += 1;
            contents.blob_bytes += summary.bytes - before;
        }
    }
    summary.blobs = contents.blobs;
    let text = serde_json::to_vec_pretty(&contents)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    archive.append_data(&mut header, MANIFEST, text.as_slice())?;
    let mut out = archive.into_inner().context("cannot finish the backup")?;
    out.flush()?;
    out.get_ref().sync_all().context("cannot write the backup to disk")?;
    Ok(summary)
}

/// The entries of a folder in name order; none when it does not exist (no blob pushed yet).
fn read_dir_sorted(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut paths = entries.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>()?;
    paths.sort();
    Ok(paths)
}

struct HashingReader<'a, R> {
    inner: &'a mut R,
    hasher: sha2::Sha256,
}

impl<R: std::io::Read> std::io::Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Restores the backup `from` into `dir`, which must be empty or missing. Everything is unpacked
/// beside it first and checked (each blob against its name, each other file against the table of
/// contents, nothing missing or extra); only then does `dir` appear. `progress` is told the bytes
/// read so far.
///
/// A backup of a PostgreSQL install is loaded into the empty database `to` (else the one its
/// config names), in one transaction, before the data dir appears; with `to`, the restored config
/// names it. Blobs of object storage stay where they are (the backup lists them).
pub async fn restore(from: &Path, dir: &Path, to: Option<&str>, progress: &dyn Fn(u64)) -> anyhow::Result<Summary> {
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        bail!("{} is not empty; restore into a new or empty data dir", dir.display());
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let staging = parent.join(format!(".quay-restore-{}", crate::util::random_token(8)));
    crate::util::create_private_dir(&staging)?;
    let unpacked = restore_staged(from, &staging, to, progress).await.and_then(|summary| {
        if dir.exists() {
            std::fs::remove_dir(dir).with_context(|| format!("cannot replace the empty {}", dir.display()))?;
        }
        std::fs::rename(&staging, dir)
            .with_context(|| format!("cannot move the restored data into {}", dir.display()))?;
        Ok(summary)
    });
    if unpacked.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    unpacked
}

async fn restore_staged(
    from: &Path,
    staging: &Path,
    to: Option<&str>,
    progress: &dyn Fn(u64),
) -> anyhow::Result<Summary> {
    let (summary, contents) = unpack(from, staging, progress)?;
    if !contents.blobs_included {
        bail!(
            "{} holds no blobs (the database and keys `quay upgrade` keeps to roll back); restore a backup made by \
             `quay backup`",
            from.display()
        );
    }
    if contents.engine == "postgresql" {
        let mut loaded = crate::config::LoadedConfig::from_path(&staging.join("config.yaml"))?;
        let url = match (to, loaded.config.database()?) {
            (Some(url), _) => url.to_owned(),
            (None, crate::config::DatabaseUri::Postgres(url)) => url,
            (None, _) => bail!("{}: its config names no PostgreSQL database; pass --to", from.display()),
        };
        crate::db::transfer::postgres_load(&url, &staging.join("database"), &contents.tables).await?;
        std::fs::remove_dir_all(staging.join("database"))?;
        if to.is_some() {
            loaded.set_key("DB_URI", &crate::config::postgres_url_with_environment_password(&url))?;
        }
    } else if to.is_some() {
        bail!("{} is a backup of a SQLite install; --to is for PostgreSQL backups", from.display());
    }
    Ok(summary)
}

/// Puts the database, config, keys and certificates of `from` (either scope) back into the data
/// dir `layout` describes, which keeps its blobs: how `quay upgrade` rolls back a version that
/// changed the schema. The registry is stopped. Everything is unpacked and checked beside the data
/// dir first; then each file replaces its namesake (the database's journal files go with it).
pub fn restore_metadata(from: &Path, layout: &Layout) -> anyhow::Result<Summary> {
    let staging = layout.dir.join(format!(".quay-restore-{}", crate::util::random_token(8)));
    crate::util::create_private_dir(&staging)?;
    let result = unpack_metadata(from, layout, &staging);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn unpack_metadata(from: &Path, layout: &Layout, staging: &Path) -> anyhow::Result<Summary> {
    let (summary, contents) = unpack_filtered(from, staging, &|_| {}, false)?;
    let database = layout.sqlite().context("only a SQLite database is put back over a data dir")?;
    let db_name = layout.relative(database)?.to_path_buf();
    if !contents.files.contains_key(db_name.to_string_lossy().as_ref()) {
        bail!("{} holds no database at {}", from.display(), db_name.display());
    }
    // The live files move aside (the database's journal files with it) and come back if any step
    // fails: the data dir is the old one or the restored one, never a mix.
    let aside = staging.join(".aside");
    crate::util::create_private_dir(&aside)?;
    let mut live: Vec<PathBuf> = contents.files.keys().map(|name| layout.dir.join(name)).collect();
    live.extend(
        ["-wal", "-shm", "-journal"].iter().map(|suffix| PathBuf::from(format!("{}{suffix}", database.display()))),
    );
    let mut moved_aside = Vec::new();
    let mut put_back = || -> anyhow::Result<()> {
        for (i, path) in live.iter().enumerate() {
            if path.exists() {
                let to = aside.join(i.to_string());
                std::fs::rename(path, &to).with_context(|| format!("cannot move {} aside", path.display()))?;
                moved_aside.push((path.clone(), to));
            }
        }
        for name in contents.files.keys() {
            let target = layout.dir.join(name);
            std::fs::rename(staging.join(name), &target)
                .with_context(|| format!("cannot put {} back", target.display()))?;
        }
        Ok(())
    };
    if let Err(e) = put_back() {
        for (path, aside) in moved_aside.iter().rev() {
            let _ = std::fs::rename(aside, path);
        }
        return Err(e);
    }
    Ok(summary)
}

fn unpack(from: &Path, to: &Path, progress: &dyn Fn(u64)) -> anyhow::Result<(Summary, Contents)> {
    unpack_filtered(from, to, progress, true)
}

/// Unpacks and checks `from` into `to`; blobs are skipped (still checked) unless `blobs`.
fn unpack_filtered(from: &Path, to: &Path, progress: &dyn Fn(u64), blobs: bool) -> anyhow::Result<(Summary, Contents)> {
    let file = std::fs::File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut sums: std::collections::BTreeMap<String, String> = Default::default();
    let mut contents: Option<Contents> = None;
    let mut summary = Summary::default();
    let mut blob_bytes = 0;
    let damaged = || format!("{} is not a complete quay backup", from.display());
    for entry in archive.entries().with_context(damaged)? {
        let mut entry = entry.with_context(damaged)?;
        let name = entry.path().with_context(damaged)?.into_owned();
        if !name.components().all(|c| matches!(c, Component::Normal(_))) {
            bail!("{} holds the path {}, which a backup never does", from.display(), name.display());
        }
        if contents.is_some() {
            bail!("{}: {} follows the table of contents", damaged(), name.display());
        }
        let text = name.to_string_lossy().into_owned();
        if text == MANIFEST {
            let mut raw = Vec::new();
            entry.read_to_end(&mut raw).with_context(damaged)?;
            let found: Contents = serde_json::from_slice(&raw).with_context(damaged)?;
            if found.format != FORMAT {
                bail!("{} is a backup of format {}; this quay reads format {FORMAT}", from.display(), found.format);
            }
            contents = Some(found);
            continue;
        }
        let is_blob = name.parent().and_then(|p| p.parent()).is_some_and(|p| p.ends_with("sha256"));
        // Blobs not wanted are still read through and checked.
        let target = (blobs || !is_blob).then(|| to.join(&name));
        let mut out = match &target {
            Some(target) => {
                if let Some(parent) = target.parent() {
                    crate::util::create_private_dir(parent)?;
                }
                Some(crate::util::create_private_file(target)?)
            }
            None => None,
        };
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut len = 0u64;
        loop {
            let n = entry.read(&mut buf).with_context(|| format!("{}: {} is cut short", damaged(), name.display()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            if let (Some(out), Some(target)) = (out.as_mut(), &target) {
                out.write_all(&buf[..n]).with_context(|| format!("cannot write {}", target.display()))?;
            }
            len += n as u64;
            summary.bytes += n as u64;
            progress(summary.bytes);
        }
        if let (Some(out), Some(target)) = (out, &target) {
            out.sync_all()?;
            let mode = FILES.iter().find(|(n, _)| *n == text).map_or(0o600, |(_, m)| *m);
            if mode != 0o600 {
                std::fs::set_permissions(target, std::os::unix::fs::PermissionsExt::from_mode(mode))?;
            }
        }
        let sum = hex::encode(hasher.finalize());
        if is_blob {
            if name.file_name().is_none_or(|n| n.to_string_lossy() != sum) {
                bail!("the blob {} in {} is damaged (its content hashes to {sum})", name.display(), from.display());
            }
            summary.blobs += 1;
            blob_bytes += len;
        } else {
            sums.insert(text, sum);
            summary.files += 1;
        }
    }
    let contents = contents.with_context(|| format!("{} (its table of contents is missing)", damaged()))?;
    if contents.files != sums {
        let differ: Vec<&String> =
            contents.files.keys().chain(sums.keys()).filter(|k| contents.files.get(*k) != sums.get(*k)).collect();
        bail!(
            "{}: {} differ from its table of contents",
            damaged(),
            differ.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    if contents.blobs != summary.blobs || contents.blob_bytes != blob_bytes {
        bail!("{}: it lists {} blobs, {} are in it", damaged(), contents.blobs, summary.blobs);
    }
    Ok((summary, contents))
}
