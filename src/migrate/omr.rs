//! `quay migrate omr`: a mirror-registry 2.x install (Python Quay on SQLite at Alembic
//! `3f8d7acdf7f9`, its config dir, root CA and storage) becomes a data dir of this program, keeping
//! what clients hold: the hostname, the secrets (`SECRET_KEY`, `DATABASE_SECRET_KEY`: every
//! encrypted field still decrypts), the signing key and its kid (tokens and `servicekey` stay
//! valid), the certificate and the root CA clients trust, users, robots and every blob.
//!
//! Validation reads the source and changes nothing; only then is anything written, and only into
//! the new data dir: the database is copied (`VACUUM INTO`) and the copy bridged to
//! `9fa37f66a9b6`; blobs are copied (or moved, `--move`) and each re-hashed against its name.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use sha2::Digest as _;

pub use crate::db::omr::OMR_REVISION;

/// Where an OMR install keeps its parts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OmrSource {
    /// `quay-config`: config.yaml, ssl.cert, ssl.key, quay.pem, quay.kid.
    pub config_dir: PathBuf,
    pub database: PathBuf,
    pub storage: PathBuf,
    /// `quay-rootCA`, when there is one (OMR made the certificate).
    pub root_ca: Option<PathBuf>,
}

impl OmrSource {
    /// The parts under `root` (OMR's `--quayRoot`, `~/quay-install`), each overridable; the
    /// database and storage are podman volumes unless OMR was given paths.
    pub fn locate(
        root: Option<&Path>,
        database: Option<PathBuf>,
        config_dir: Option<PathBuf>,
        storage: Option<PathBuf>,
    ) -> anyhow::Result<OmrSource> {
        let root = root
            .map(Path::to_path_buf)
            .unwrap_or_else(|| std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join("quay-install"));
        let volume_hint = |volume: &str, flag: &str| {
            format!(
                "pass {flag} (OMR keeps it in the podman volume `{volume}`: podman volume inspect {volume} --format '{{{{.Mountpoint}}}}')"
            )
        };
        // OMR's own unit says where it mounted each part (named volumes by default).
        let mounts = omr_unit_mounts();
        let mounted = |container_path: &str| mounts.iter().find(|(_, c)| c == container_path).map(|(h, _)| h.clone());
        let config_dir =
            config_dir.or_else(|| mounted("/quay-registry/conf/stack")).unwrap_or_else(|| root.join("quay-config"));
        if !config_dir.join("config.yaml").is_file() {
            bail!("no config.yaml in {}; pass --source-config DIR or --source-root DIR", config_dir.display());
        }
        let database = match database.or_else(|| mounted("/sqlite").map(|d| d.join("quay_sqlite.db"))) {
            Some(db) => db,
            None => {
                let db = root.join("sqlite-storage/quay_sqlite.db");
                if !db.is_file() {
                    bail!("no database at {}; {}", db.display(), volume_hint("sqlite-storage", "--source-db FILE"));
                }
                db
            }
        };
        let storage = match storage.or_else(|| mounted("/datastorage")) {
            Some(dir) => dir,
            None => {
                let dir = root.join("quay-storage");
                if !dir.is_dir() {
                    bail!("no storage at {}; {}", dir.display(), volume_hint("quay-storage", "--source-storage DIR"));
                }
                dir
            }
        };
        let root_ca = [root.join("quay-rootCA"), config_dir.parent().unwrap_or(&root).join("quay-rootCA")]
            .into_iter()
            .find(|d| d.join("rootCA.pem").is_file());
        Ok(OmrSource { config_dir, database, storage, root_ca })
    }
}

/// The `-v HOST:CONTAINER` mounts of OMR's `quay-app.service` (in systemd's system folder, the
/// user's, or `QUAY_OMR_UNIT_DIR`), as (host path, container path); a named volume is resolved to
/// its folder with `podman volume inspect`. None when there is no such unit.
fn omr_unit_mounts() -> Vec<(PathBuf, String)> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("QUAY_OMR_UNIT_DIR") {
        dirs.push(PathBuf::from(dir));
    } else {
        dirs.push(PathBuf::from("/etc/systemd/system"));
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".config/systemd/user"));
        }
    }
    let Some(text) = dirs.iter().find_map(|d| std::fs::read_to_string(d.join("quay-app.service")).ok()) else {
        return Vec::new();
    };
    // ExecStart spans lines joined by backslashes.
    let joined = text.replace("\\\n", " ");
    let words: Vec<&str> = joined.split_whitespace().collect();
    let mut mounts = Vec::new();
    for pair in words.windows(2) {
        let spec = match pair {
            ["-v" | "--volume", spec] => *spec,
            [flag, _] if flag.starts_with("--volume=") => &flag["--volume=".len()..],
            _ => continue,
        };
        let mut parts = spec.split(':');
        let (Some(host), Some(container)) = (parts.next(), parts.next()) else {
            continue;
        };
        let host = if host.starts_with('/') {
            Some(PathBuf::from(host))
        } else {
            crate::appliance::run("podman", &["volume", "inspect", host, "--format", "{{.Mountpoint}}"])
                .ok()
                .map(|out| PathBuf::from(out.trim()))
                .filter(|p| p.is_absolute())
        };
        if let Some(host) = host {
            mounts.push((host, container.to_owned()));
        }
    }
    mounts
}

/// What validation found: the plan `--dry-run` prints.
#[derive(Debug, serde::Serialize)]
pub struct OmrPlan {
    pub source: OmrSource,
    pub hostname: String,
    pub kid: String,
    pub users: u64,
    pub repositories: u64,
    pub tags: u64,
    pub robots: usize,
    pub blobs: u64,
    pub blob_bytes: u64,
    pub super_users: Vec<String>,
    /// What will not carry over as it was, said once.
    pub notes: Vec<String>,
    #[serde(skip)]
    secret_key: String,
    #[serde(skip)]
    database_secret_key: String,
}

/// Reads the source and checks that everything can move, changing nothing: one error naming
/// every problem found.
pub fn validate(source: OmrSource, hostname: Option<&str>) -> anyhow::Result<OmrPlan> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let config_file = source.config_dir.join("config.yaml");
    let text =
        std::fs::read_to_string(&config_file).with_context(|| format!("cannot read {}", config_file.display()))?;
    let (config, _) =
        crate::config::Config::from_yaml(&text).with_context(|| format!("in {}", config_file.display()))?;
    if config.authentication_type != "Database" {
        problems.push(format!(
            "AUTHENTICATION_TYPE is {}; only Database authentication moves (its users and passwords are in the database)",
            config.authentication_type
        ));
    }
    let secret_key = config.secret_key.clone().unwrap_or_default();
    let database_secret_key = config.database_secret_key.clone().unwrap_or_default();
    if secret_key.is_empty() || database_secret_key.is_empty() {
        problems.push(format!("{} lacks SECRET_KEY or DATABASE_SECRET_KEY", config_file.display()));
    }
    let hostname = hostname.map(str::to_owned).unwrap_or_else(|| config.server_hostname.clone());
    if hostname.is_empty() {
        problems.push("the config has no SERVER_HOSTNAME; pass --hostname".into());
    }
    // The signing key: tokens clients hold, and the servicekey row that vouches for it.
    let key_path = source.config_dir.join("quay.pem");
    let kid_path = source.config_dir.join("quay.kid");
    let kid = std::fs::read_to_string(&kid_path).map(|k| k.trim().to_owned()).unwrap_or_default();
    let signing = std::fs::read_to_string(&key_path)
        .map_err(anyhow::Error::from)
        .and_then(|pem| crate::auth::keys::SigningKey::from_pem(&pem));
    match &signing {
        Err(e) => problems.push(format!("{}: {e:#}", key_path.display())),
        Ok(key) if key.kid != kid => problems.push(format!(
            "{} holds the kid {kid}, but the key in {} has the thumbprint {}",
            kid_path.display(),
            key_path.display(),
            key.kid
        )),
        Ok(_) => {}
    }
    // TLS: the pair clients see, and the CA they trust.
    let tls = crate::tls::TlsFiles {
        cert: source.config_dir.join("ssl.cert"),
        key: source.config_dir.join("ssl.key"),
        ..crate::tls::TlsFiles::in_dir(source.root_ca.as_deref().unwrap_or(&source.config_dir))
    };
    let host = crate::tls::host_of(&hostname).to_owned();
    for problem in crate::tls::problems(&tls, std::slice::from_ref(&host)) {
        if problem.contains("expire") {
            notes.push(format!("{problem}; replace ssl.cert and ssl.key in the data dir (served without a restart)"));
        } else {
            problems.push(problem);
        }
    }
    match &source.root_ca {
        Some(dir) if !dir.join("rootCA.key").is_file() => {
            problems.push(format!("{} has rootCA.pem but no rootCA.key", dir.display()))
        }
        None => notes.push("no quay-rootCA: the certificate stays the operator's own, never rewritten".into()),
        _ => {}
    }
    // The database: its revision, integrity, robots' tokens and the signing key's row.
    let contents = rusqlite::Connection::open_with_flags(
        &source.database,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", source.database.display()))
    .and_then(|db| crate::db::omr::read(&db, &kid));
    let (users, repositories, tags, robots) = match &contents {
        Err(e) => {
            problems.push(format!("{}: {e:#}", source.database.display()));
            (0, 0, 0, 0)
        }
        Ok(found) => {
            if found.revision != crate::db::omr::OMR_REVISION {
                problems.push(format!(
                    "{} is at schema revision {}; quay migrate omr moves mirror-registry 2.x ({})",
                    source.database.display(),
                    found.revision,
                    crate::db::omr::OMR_REVISION
                ));
            }
            if let Ok(fields) = crate::auth::secret::FieldEncryption::new(&database_secret_key) {
                for (robot, token) in &found.robot_tokens {
                    if fields.decrypt(token).is_err() {
                        problems.push(format!("the token of robot {robot} does not decrypt with DATABASE_SECRET_KEY"));
                    }
                }
            } else if !database_secret_key.is_empty() {
                problems.push("DATABASE_SECRET_KEY is not a usable key".into());
            }
            match (&found.service_key, &signing) {
                (None, _) => problems.push(format!("no approved servicekey row has the kid {kid}")),
                (Some((_, true)), _) => notes
                    .push(format!("the servicekey {kid} has expired: the migrated registry renews it when it starts")),
                (Some((jwk, false)), Ok(key)) if jwk.get("n") != key.jwk.get("n") => {
                    problems.push(format!("the servicekey row {kid} holds another public key than quay.pem"))
                }
                _ => {}
            }
            (found.users, found.repositories, found.tags, found.robot_tokens.len())
        }
    };
    let (blobs, blob_bytes) = match count_blobs(&source.storage) {
        Ok(found) => found,
        Err(e) => {
            problems.push(format!("{e:#}"));
            (0, 0)
        }
    };
    if !problems.is_empty() {
        bail!("nothing was changed:\n  - {}", problems.join("\n  - "));
    }
    Ok(OmrPlan {
        source,
        hostname,
        kid,
        users,
        repositories,
        tags,
        robots,
        blobs,
        blob_bytes,
        super_users: config.super_users.clone(),
        notes,
        secret_key,
        database_secret_key,
    })
}

/// The blobs under `storage/sha256/ab/<hex>`: how many, how many bytes.
fn count_blobs(storage: &Path) -> anyhow::Result<(u64, u64)> {
    let (mut n, mut bytes) = (0, 0);
    for path in blob_paths(storage)? {
        n += 1;
        bytes += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    }
    Ok((n, bytes))
}

fn blob_paths(storage: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let root = storage.join("sha256");
    let mut found = Vec::new();
    let prefixes = match std::fs::read_dir(&root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", root.display())),
    };
    for prefix in prefixes {
        let prefix = prefix?.path();
        if !prefix.is_dir() {
            continue;
        }
        for blob in std::fs::read_dir(&prefix).with_context(|| format!("cannot list {}", prefix.display()))? {
            let blob = blob?.path();
            if blob.is_file() {
                found.push(blob);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// What a migration carried.
#[derive(Debug, Default, serde::Serialize)]
pub struct OmrMoved {
    pub blobs: u64,
    pub bytes: u64,
    pub lookup_rows_added: u64,
}

/// Carries out `plan` into `target` (new or empty): the database copied and bridged, the config
/// written with OMR's secrets and hostname, keys and certificates, and every blob copied (or
/// moved) and re-hashed. `progress` is told the blob bytes carried so far.
pub fn run(plan: &OmrPlan, target: &Path, move_blobs: bool, progress: &dyn Fn(u64)) -> anyhow::Result<OmrMoved> {
    if std::fs::read_dir(target).is_ok_and(|mut e| e.next().is_some()) {
        bail!("{} is not empty; migrate into a new or empty data dir", target.display());
    }
    // Built beside the target and renamed into place whole: a failure leaves no half data dir.
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let staging = parent.join(format!(".quay-migrate-{}", crate::util::random_token(8)));
    crate::util::create_private_dir(&staging)?;
    let mut moved_blobs = Vec::new();
    let built = build(plan, &staging, move_blobs, &mut moved_blobs, progress).and_then(|moved| {
        if target.exists() {
            std::fs::remove_dir(target).with_context(|| format!("cannot replace the empty {}", target.display()))?;
        }
        std::fs::rename(&staging, target)
            .with_context(|| format!("cannot move the new data dir into {}", target.display()))?;
        Ok(moved)
    });
    if built.is_err() {
        // Blobs already moved go back to OMR before the staging folder goes.
        for (from, to) in moved_blobs.iter().rev() {
            let _ = std::fs::rename(to, from);
        }
        let _ = std::fs::remove_dir_all(&staging);
    }
    built
}

fn build(
    plan: &OmrPlan,
    target: &Path,
    move_blobs: bool,
    moved_blobs: &mut Vec<(PathBuf, PathBuf)>,
    progress: &dyn Fn(u64),
) -> anyhow::Result<OmrMoved> {
    let source = &plan.source;
    // The database: a consistent copy, then the copy bridged; the source is only read.
    let db_path = target.join("quay.db");
    {
        let db = rusqlite::Connection::open_with_flags(&source.database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        db.execute("VACUUM INTO ?1", [db_path.to_string_lossy().as_ref()])
            .with_context(|| format!("cannot copy {}", source.database.display()))?;
    }
    let mut copy = rusqlite::Connection::open(&db_path)?;
    crate::db::omr::bridge(&mut copy)?;
    drop(copy);
    std::fs::set_permissions(&db_path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;

    // The config: the mirror preset with OMR's hostname, secrets and superusers.
    let super_users = if plan.super_users.is_empty() { vec!["admin".to_owned()] } else { plan.super_users.clone() };
    // Quoted (a JSON string is a YAML string): a secret with `#` or `: ` reads back as written.
    let quoted = |value: &str| serde_json::Value::String(value.to_owned()).to_string();
    let mut config = crate::config::MIRROR_PRESET
        .replace("${HOSTNAME}", &quoted(&plan.hostname))
        .replace("${SECRET_KEY}", &quoted(&plan.secret_key))
        .replace("${DATABASE_SECRET_KEY}", &quoted(&plan.database_secret_key))
        .replace(
            "SUPER_USERS:\n  - admin\n",
            &format!("SUPER_USERS:\n{}", super_users.iter().map(|u| format!("  - {u}\n")).collect::<String>()),
        );
    config.push_str("# Carried over from mirror-registry 2.x by `quay migrate omr`.\n");
    let (read_back, _) = crate::config::Config::from_yaml(&config).context("the migrated config does not read back")?;
    if read_back.secret_key.as_deref() != Some(plan.secret_key.as_str())
        || read_back.database_secret_key.as_deref() != Some(plan.database_secret_key.as_str())
        || read_back.server_hostname != plan.hostname
    {
        bail!("the migrated config does not read back OMR's hostname and secrets as they were");
    }
    crate::util::write_private_file(&target.join("config.yaml"), config.as_bytes())?;

    // Keys and certificates, with the modes of the data dir contract.
    let copy_file = |from: &Path, name: &str, mode: u32| -> anyhow::Result<()> {
        let bytes = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        crate::util::write_file(&target.join(name), &bytes, mode)
    };
    copy_file(&source.config_dir.join("quay.pem"), "quay.pem", 0o600)?;
    copy_file(&source.config_dir.join("quay.kid"), "quay.kid", 0o644)?;
    copy_file(&source.config_dir.join("ssl.cert"), "ssl.cert", 0o644)?;
    copy_file(&source.config_dir.join("ssl.key"), "ssl.key", 0o600)?;
    if let Some(ca) = &source.root_ca {
        copy_file(&ca.join("rootCA.pem"), "rootCA.pem", 0o644)?;
        copy_file(&ca.join("rootCA.key"), "rootCA.key", 0o600)?;
    }

    // Blobs, each re-hashed against its name on the way; when moving, every one is checked
    // before the first leaves OMR.
    let mut moved = OmrMoved::default();
    let storage = target.join("storage");
    let blobs = blob_paths(&source.storage)?;
    if move_blobs {
        for blob in &blobs {
            let expected = blob.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            check_blob(blob, &expected, &hash_file(blob)?)?;
        }
    }
    for blob in blobs {
        let name = blob.strip_prefix(&source.storage).unwrap_or(&blob).to_path_buf();
        let to = storage.join(&name);
        if let Some(parent) = to.parent() {
            crate::util::create_private_dir(parent)?;
        }
        let expected = blob.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = if move_blobs {
            std::fs::rename(&blob, &to).with_context(|| {
                format!(
                    "cannot move {} (is the target on another filesystem? leave out --move to copy)",
                    blob.display()
                )
            })?;
            moved_blobs.push((blob.clone(), to.clone()));
            std::fs::metadata(&to)?.len()
        } else {
            copy_blob(&blob, &to, &expected)?
        };
        moved.blobs += 1;
        moved.bytes += bytes;
        progress(moved.bytes);
    }
    crate::util::create_private_dir(&storage)?;
    Ok(moved)
}

fn check_blob(path: &Path, expected: &str, sum: &str) -> anyhow::Result<()> {
    if sum != expected {
        bail!("the blob {} is damaged (its content hashes to {sum}); nothing was migrated", path.display());
    }
    Ok(())
}

fn hash_file(path: &Path) -> anyhow::Result<String> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Copies a blob through a temporary file, hashing as it goes; it appears under its name only
/// when its content matches it.
fn copy_blob(from: &Path, to: &Path, expected: &str) -> anyhow::Result<u64> {
    use std::io::{Read as _, Write as _};
    let mut input = std::fs::File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let partial = PathBuf::from(format!("{}.partial", to.display()));
    let mut output = crate::util::create_private_file(&partial)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut len = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        len += n as u64;
    }
    output.sync_all()?;
    let sum = hex::encode(hasher.finalize());
    if let Err(e) = check_blob(from, expected, &sum) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, to).with_context(|| format!("cannot move {} into place", to.display()))?;
    Ok(len)
}
