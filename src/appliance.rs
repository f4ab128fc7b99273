//! The installed appliance: its install record, its Quadlet units, the preflight checks made
//! before anything changes, and the one runner through which `podman`, `systemctl` and
//! `loginctl` are called (tests put a program of theirs in its place: `QUAY_RUNNER`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

/// The units' templates (`quadlet/`).
const QUAY_CONTAINER: &str = include_str!("../quadlet/quay.container");
const QUAY_WORKER_CONTAINER: &str = include_str!("../quadlet/quay-worker.container");
const QUAY_POSTGRES_CONTAINER: &str = include_str!("../quadlet/quay-postgres.container");
const QUAY_POSTGRES_VOLUME: &str = include_str!("../quadlet/quay-postgres.volume");
const QUAY_NETWORK: &str = include_str!("../quadlet/quay.network");
/// The registry's unit file, and the service Quadlet generates from it.
pub const UNIT_FILE: &str = "quay.container";
pub const SERVICE: &str = "quay.service";
/// The PostgreSQL image of the `standalone` preset's own database container.
pub const DEFAULT_POSTGRES_IMAGE: &str = "registry.redhat.io/rhel9/postgresql-15:latest";

/// What `quay install` wrote: every later command (`upgrade`, `uninstall`, `status`, `admin`...)
/// finds the install through it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub preset: String,
    pub hostname: String,
    pub listen: String,
    pub data_dir: PathBuf,
    pub image: String,
    pub unit_dir: PathBuf,
    pub rootless: bool,
    pub version: String,
    /// The operator's own certificate (`--ssl-cert`): no CA of the install's to verify it with.
    #[serde(default)]
    pub custom_tls: bool,
    /// The image of the PostgreSQL container beside the registry (`standalone` without
    /// `--config`); none when the database is the operator's.
    #[serde(default)]
    pub postgres_image: Option<String>,
}

/// The image's non-root user (`packaging/Containerfile`): a rootful install's data dir is theirs.
pub const IMAGE_UID: u32 = 1001;
pub const IMAGE_GID: u32 = 1001;

/// Gives `path` and everything under it to `uid:gid` (when running as root, which only may).
pub fn chown_tree(path: &Path, uid: u32, gid: u32) -> anyhow::Result<()> {
    if !rustix::process::geteuid().is_root() {
        return Ok(());
    }
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
        .with_context(|| format!("cannot give {} to uid {uid}", path.display()))?;
    if path.is_dir() && !path.is_symlink() {
        for entry in std::fs::read_dir(path).with_context(|| format!("cannot list {}", path.display()))? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

/// Gives what a root command wrote at the top of the data dir `dir` (its files, `auth/` and
/// `backups/`; not the blobs, which it never writes) back to the dir's owner, the service.
pub fn give_back_to_data_dir_owner(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default();
        if path.is_file() || name == "auth" || name == "backups" {
            chown_tree(&path, meta.uid(), meta.gid())?;
        }
    }
    Ok(())
}

/// Makes `dir` when missing, readable by everyone (0755): the install record and the units hold no
/// secret, and host commands that act as the data dir's owner read them.
fn create_readable_dir(dir: &Path) -> anyhow::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.is_dir()).collect();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for created in missing {
        std::fs::set_permissions(created, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .with_context(|| format!("cannot set the mode of {}", created.display()))?;
    }
    Ok(())
}

/// Where the install record is: `QUAY_INSTALL_RECORD` when set, else
/// `$XDG_CONFIG_HOME/quay/install.json` (rootless) or `/etc/quay/install.json`.
pub fn record_path(rootless: bool) -> PathBuf {
    if let Some(path) = std::env::var_os("QUAY_INSTALL_RECORD") {
        return PathBuf::from(path);
    }
    if rootless {
        let config_home = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .unwrap_or_else(|| PathBuf::from(".config"));
        return config_home.join("quay/install.json");
    }
    PathBuf::from("/etc/quay/install.json")
}

/// Where an install keeps its data unless told: `/var/lib/quay`, or `$XDG_DATA_HOME/quay`.
pub fn default_data_dir(rootless: bool) -> PathBuf {
    if !rootless {
        return PathBuf::from("/var/lib/quay");
    }
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from(".local/share"))
        .join("quay")
}

/// Where units go: `/etc/containers/systemd`, or the user's Quadlet folder when rootless.
pub fn default_unit_dir(rootless: bool) -> PathBuf {
    if !rootless {
        return PathBuf::from("/etc/containers/systemd");
    }
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from(".config"));
    config_home.join("containers/systemd")
}

impl Record {
    pub fn read(path: &Path) -> anyhow::Result<Option<Record>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(
                serde_json::from_str(&text).with_context(|| format!("{} is not an install record", path.display()))?,
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            create_readable_dir(dir)?;
        }
        crate::util::write_file(path, serde_json::to_string_pretty(self)?.as_bytes(), 0o644)
    }

    /// The registry's Quadlet unit for this install.
    pub fn unit(&self) -> String {
        self.units().swap_remove(0).1
    }

    /// Every unit file of this install (the registry's first), as `(file name, text)`.
    pub fn units(&self) -> Vec<(&'static str, String)> {
        // Rootless, the invoking user is the image's user inside: files in the data dir stay theirs.
        let user_ns = if self.rootless { "UserNS=keep-id:uid=1001,gid=1001\n" } else { "" };
        let wanted_by = if self.rootless { "default.target" } else { "multi-user.target default.target" };
        let fill = |template: &str| {
            template
                .replace("{image}", &self.image)
                .replace("{data_dir}", &self.data_dir.display().to_string())
                .replace("{user_ns}\n", user_ns)
                .replace("{wanted_by}", wanted_by)
        };
        // The probe runs inside the container: the operator's certificate does not name localhost.
        let trust = if self.custom_tls { "--insecure" } else { "--ca /data/rootCA.pem" };
        let with_postgres = self.postgres_image.is_some();
        let registry = fill(QUAY_CONTAINER)
            .replace("{relabel}", if self.preset == "full" { "z" } else { "Z" })
            .replace("{health_trust}", trust)
            .replace("{publish}", &self.listen)
            .replace("{serve_flags}", if self.preset == "full" { " --no-workers" } else { "" })
            .replace(
                "{requires}\n",
                if with_postgres { "Requires=quay-postgres.service\nAfter=quay-postgres.service\n" } else { "" },
            )
            .replace("{network}\n", if with_postgres { "Network=quay.network\n" } else { "" });
        let mut units = vec![(UNIT_FILE, registry)];
        if self.preset == "full" {
            units.push(("quay-worker.container", fill(QUAY_WORKER_CONTAINER)));
        }
        if let Some(image) = &self.postgres_image {
            units.push(("quay-postgres.container", fill(QUAY_POSTGRES_CONTAINER).replace("{postgres_image}", image)));
            units.push(("quay-postgres.volume", QUAY_POSTGRES_VOLUME.to_owned()));
            units.push(("quay.network", QUAY_NETWORK.to_owned()));
        }
        units
    }

    /// The services `systemctl` starts, in order (stopped in reverse).
    pub fn services(&self) -> Vec<&'static str> {
        let mut services = Vec::new();
        if self.postgres_image.is_some() {
            services.push("quay-postgres.service");
        }
        services.push(SERVICE);
        if self.preset == "full" {
            services.push("quay-worker.service");
        }
        services
    }

    /// Writes every unit into `unit_dir`.
    pub fn write_units(&self) -> anyhow::Result<()> {
        create_readable_dir(&self.unit_dir)?;
        for (name, text) in self.units() {
            crate::util::write_file(&self.unit_dir.join(name), text.as_bytes(), 0o644)?;
        }
        Ok(())
    }

    /// Removes every unit this install wrote (missing ones are fine).
    pub fn remove_units(&self) -> anyhow::Result<()> {
        for (name, _) in self.units() {
            let path = self.unit_dir.join(name);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl Record {
    /// Where the host reaches the published port: its address, loopback when it is every address.
    pub fn probe_address(&self) -> anyhow::Result<std::net::SocketAddr> {
        let mut at: std::net::SocketAddr = self
            .listen
            .parse()
            .with_context(|| format!("the install's listen address {} is not ADDRESS:PORT", self.listen))?;
        if at.ip().is_unspecified() {
            at.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        Ok(at)
    }
}

/// Runs `program args` (the host's podman, systemctl, loginctl) and returns what it printed. With
/// `QUAY_RUNNER` set, runs `$QUAY_RUNNER program args` instead: systemd and Quadlet cannot run in
/// the tests, which put a program there that records the calls and plays the service's part.
pub fn run(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = output(program, args)?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!("{program} {} failed: {}", args.join(" "), err.lines().last().unwrap_or("").trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `program args` through the runner and returns how it ended, whatever its exit status.
fn output(program: &str, args: &[&str]) -> anyhow::Result<std::process::Output> {
    let mut command = match std::env::var_os("QUAY_RUNNER") {
        Some(runner) => {
            let mut c = std::process::Command::new(runner);
            c.arg(program);
            c
        }
        None => std::process::Command::new(program),
    };
    command
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("cannot run {program}; is it installed?"))
}

/// What systemd says of `service` (`active`, `inactive`, `failed`, ...), or why it cannot tell.
pub fn service_state(rootless: bool, service: &str) -> String {
    let mut args = Vec::with_capacity(3);
    if rootless {
        args.push("--user");
    }
    args.extend(["is-active", service]);
    // `is-active` prints the state and exits non-zero for every state but `active`.
    match output("systemctl", &args) {
        Ok(out) => match String::from_utf8_lossy(&out.stdout).trim() {
            "" => "unknown".to_owned(),
            state => state.to_owned(),
        },
        Err(e) => format!("unknown ({e:#})"),
    }
}

/// `systemctl`, with `--user` for a rootless install.
pub fn systemctl(rootless: bool, args: &[&str]) -> anyhow::Result<()> {
    let mut all = Vec::with_capacity(args.len() + 1);
    if rootless {
        all.push("--user");
    }
    all.extend_from_slice(args);
    run("systemctl", &all).map(drop)
}

/// Starts an install's services (after `daemon-reload`: Quadlet turns units into services then).
pub fn start(record: &Record) -> anyhow::Result<()> {
    systemctl(record.rootless, &["daemon-reload"])?;
    for service in record.services() {
        systemctl(record.rootless, &["start", service])?;
    }
    Ok(())
}

/// Stops an install's services, in the reverse order of [`start`].
pub fn stop(record: &Record) -> anyhow::Result<()> {
    for service in record.services().into_iter().rev() {
        systemctl(record.rootless, &["stop", service])?;
    }
    Ok(())
}

/// Stops and disables mirror-registry 2.x's services before its data moves (`quay migrate omr
/// --install`): nothing may write to it while it is copied.
pub fn stop_omr(rootless: bool) -> anyhow::Result<()> {
    // Disabled too: after a reboot OMR must not come back and take the port.
    for service in ["quay-app.service", "quay-redis.service", "quay-pod.service"] {
        systemctl(rootless, &["disable", "--now", service]).with_context(|| {
            format!(
                "cannot stop OMR's {service}{}; stop it yourself, or run without --install",
                if rootless { "" } else { " (an OMR installed as a user needs --rootless)" }
            )
        })?;
    }
    Ok(())
}

/// Loads an image archive into podman's store (an air-gapped host pulls nothing); returns the
/// reference it holds.
pub fn load_image(archive: &Path) -> anyhow::Result<String> {
    if !archive.is_file() {
        bail!("--image-archive {}: no such file", archive.display());
    }
    let path = archive.to_string_lossy();
    let out = run("podman", &["load", "--input", &path])?;
    // `Loaded image: REF`, or `Loaded image(s): REF,...` from older podman.
    out.lines()
        .filter_map(|l| l.split_once(':').filter(|(k, _)| k.starts_with("Loaded image")).map(|(_, v)| v))
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|r| !r.is_empty())
        .map(str::to_owned)
        .with_context(|| format!("podman loaded {} but named no image", archive.display()))
}

/// Podman with Quadlet: 4.4 or newer.
const PODMAN_MIN: (u32, u32) = (4, 4);
/// What a data dir needs free on its filesystem at least, before any image is pushed.
const MIN_FREE_BYTES: u64 = 1 << 30;

/// The preflight's findings: every problem found before anything changes, one line each, and the
/// checks `--no-start` left out.
#[derive(Debug, Default)]
pub struct Preflight {
    pub problems: Vec<String>,
    pub skipped: Vec<&'static str>,
}

impl Preflight {
    /// Checks the host for an install (or upgrade) into `data_dir`. `start`: whether podman and
    /// systemd will be called.
    pub fn run(data_dir: &Path, rootless: bool, start: bool) -> Preflight {
        let mut found = Preflight::default();
        found.data_dir(data_dir, rootless);
        found.free_space(data_dir);
        if start {
            found.podman();
            if rootless {
                found.cgroups_v2();
            }
        } else {
            found.skipped.extend(["podman version", "cgroups v2", "linger"]);
        }
        found
    }

    /// One error naming every problem, or nothing.
    pub fn verdict(&self) -> anyhow::Result<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        bail!("nothing was changed:\n  - {}", self.problems.join("\n  - "))
    }

    fn podman(&mut self) {
        let version = match run("podman", &["--version"]) {
            Ok(out) => out,
            Err(e) => {
                return self.problems.push(format!("{e:#} (podman 4.4 or newer, with Quadlet, runs the appliance)"));
            }
        };
        // `podman version 4.9.4-rhel`
        let numbers: Vec<u32> = version
            .split_whitespace()
            .last()
            .unwrap_or("")
            .split(['.', '-'])
            .take(2)
            .map_while(|n| n.parse().ok())
            .collect();
        match numbers[..] {
            [major, minor] if (major, minor) >= PODMAN_MIN => {}
            [major, minor] => self.problems.push(format!(
                "podman {major}.{minor} has no Quadlet; install podman {}.{} or newer (RHEL 9.2+: dnf install podman)",
                PODMAN_MIN.0, PODMAN_MIN.1
            )),
            _ => self.problems.push(format!("cannot tell podman's version from `{}`", version.trim())),
        }
    }

    fn cgroups_v2(&mut self) {
        if !Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
            self.problems.push(
                "rootless containers need cgroups v2, and this host runs v1; boot with systemd.unified_cgroup_hierarchy=1"
                    .into(),
            );
        }
    }

    fn free_space(&mut self, data_dir: &Path) {
        let existing = data_dir.ancestors().find(|p| p.exists()).unwrap_or(Path::new("/"));
        match rustix::fs::statvfs(existing) {
            Ok(st) if st.f_bavail.saturating_mul(st.f_frsize) < MIN_FREE_BYTES => self.problems.push(format!(
                "{} has {} free; the registry needs at least {} to start (and room for its images)",
                existing.display(),
                indicatif::HumanBytes(st.f_bavail.saturating_mul(st.f_frsize)),
                indicatif::HumanBytes(MIN_FREE_BYTES)
            )),
            Ok(_) => {}
            Err(e) => self.problems.push(format!("cannot measure the free space of {}: {e}", existing.display())),
        }
    }

    fn data_dir(&mut self, dir: &Path, rootless: bool) {
        use std::os::unix::fs::MetadataExt as _;
        // The unit mounts the data dir with `:Z`: SELinux relabels all of it for one container,
        // which on a system folder or a home would lock the host's own programs out of it.
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let system = ["/", "/home", "/root", "/usr", "/etc", "/var", "/var/lib", "/opt", "/srv", "/tmp", "/boot"];
        if system.iter().any(|s| dir == Path::new(s)) || home.as_deref() == Some(dir) {
            self.problems.push(format!(
                "{} cannot be the data dir: the unit relabels it for SELinux (:Z); use a folder of its own, such as {}",
                dir.display(),
                default_data_dir(rootless).display()
            ));
            return;
        }
        let Ok(meta) = std::fs::metadata(dir) else {
            return; // made by the install
        };
        if !meta.is_dir() {
            self.problems.push(format!("{} is not a folder", dir.display()));
            return;
        }
        let has_entries = std::fs::read_dir(dir).map(|mut e| e.next().is_some()).unwrap_or(true);
        if has_entries && !dir.join("config.yaml").is_file() {
            self.problems.push(format!(
                "{} holds files but no config.yaml: not a quay data dir; choose an empty or new folder",
                dir.display()
            ));
        }
        let uid = rustix::process::geteuid().as_raw();
        if rootless && meta.uid() != uid {
            self.problems.push(format!(
                "{} belongs to uid {}, not to you (uid {uid}): the rootless service could not write to it",
                dir.display(),
                meta.uid()
            ));
        }
    }
}

/// Makes sure a rootless user's services run without a login session (and start at boot).
pub fn ensure_linger() -> anyhow::Result<()> {
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default();
    if user.is_empty() {
        bail!("cannot tell who you are (USER is not set) to enable linger; run `loginctl enable-linger` yourself");
    }
    let linger = run("loginctl", &["show-user", &user, "--property=Linger", "--value"]).unwrap_or_default();
    if linger.trim() != "yes" {
        run("loginctl", &["enable-linger", &user])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys Quadlet takes in `[Container]` in podman 4.9.3 (RHEL 9.4), as its
    /// `supportedContainerKeys` lists them (`pkg/systemd/quadlet/quadlet.go` at tag v4.9.3).
    const CONTAINER_KEYS_4_9: &[&str] = &[
        "AddCapability",
        "AddDevice",
        "Annotation",
        "AutoUpdate",
        "ContainerName",
        "ContainersConfModule",
        "DNS",
        "DNSOption",
        "DNSSearch",
        "DropCapability",
        "Environment",
        "EnvironmentFile",
        "EnvironmentHost",
        "Exec",
        "ExposeHostPort",
        "GIDMap",
        "GlobalArgs",
        "Group",
        "HealthCmd",
        "HealthInterval",
        "HealthOnFailure",
        "HealthRetries",
        "HealthStartPeriod",
        "HealthStartupCmd",
        "HealthStartupInterval",
        "HealthStartupRetries",
        "HealthStartupSuccess",
        "HealthStartupTimeout",
        "HealthTimeout",
        "HostName",
        "IP",
        "IP6",
        "Image",
        "Label",
        "LogDriver",
        "Mask",
        "Mount",
        "Network",
        "NoNewPrivileges",
        "Notify",
        "PidsLimit",
        "PodmanArgs",
        "PublishPort",
        "Pull",
        "ReadOnly",
        "ReadOnlyTmpfs",
        "RemapGid",
        "RemapUid",
        "RemapUidSize",
        "RemapUsers",
        "Rootfs",
        "RunInit",
        "SeccompProfile",
        "Secret",
        "SecurityLabelDisable",
        "SecurityLabelFileType",
        "SecurityLabelLevel",
        "SecurityLabelNested",
        "SecurityLabelType",
        "ShmSize",
        "SubGIDMap",
        "SubUIDMap",
        "Sysctl",
        "Timezone",
        "Tmpfs",
        "UIDMap",
        "Ulimit",
        "Unmask",
        "User",
        "UserNS",
        "VolatileTmp",
        "Volume",
        "WorkingDir",
    ];

    fn record(rootless: bool) -> Record {
        Record {
            preset: "mirror".into(),
            hostname: "registry.example:8443".into(),
            listen: "[::]:8443".into(),
            data_dir: "/var/lib/quay".into(),
            image: "localhost/quay:1".into(),
            unit_dir: default_unit_dir(rootless),
            rootless,
            version: "1".into(),
            custom_tls: false,
            postgres_image: None,
        }
    }

    /// `[Volume]` and `[Network]` keys of Quadlet in podman 4.9.3 (`supportedVolumeKeys`,
    /// `supportedNetworkKeys`).
    const VOLUME_KEYS_4_9: &[&str] = &[
        "ContainersConfModule",
        "Copy",
        "Device",
        "Driver",
        "GlobalArgs",
        "Group",
        "Image",
        "Label",
        "Options",
        "PodmanArgs",
        "Type",
        "User",
        "VolumeName",
    ];
    const NETWORK_KEYS_4_9: &[&str] = &[
        "ContainersConfModule",
        "DNS",
        "DisableDNS",
        "Driver",
        "Gateway",
        "GlobalArgs",
        "IPAMDriver",
        "IPRange",
        "IPv6",
        "Internal",
        "Label",
        "NetworkName",
        "Options",
        "PodmanArgs",
        "Subnet",
    ];

    /// Checks one unit: known sections, Quadlet 4.9's keys, every value filled; returns the keys
    /// of its Quadlet section.
    fn quadlet_keys(name: &str, unit: &str) -> Vec<String> {
        assert!(!unit.contains('{'), "{name}: {unit}");
        let mut section = "";
        let mut seen = Vec::new();
        for line in unit.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            if line.starts_with('[') {
                section = line;
                let known = ["[Unit]", "[Container]", "[Volume]", "[Network]", "[Service]", "[Install]"];
                assert!(known.contains(&section), "{name}: {line}");
                continue;
            }
            let (key, value) = line.split_once('=').unwrap();
            assert!(!value.is_empty(), "{name}: {line}");
            let allowed = match section {
                "[Container]" => CONTAINER_KEYS_4_9,
                "[Volume]" => VOLUME_KEYS_4_9,
                "[Network]" => NETWORK_KEYS_4_9,
                _ => continue,
            };
            assert!(allowed.contains(&key), "{name}: Quadlet 4.9 has no {key} in {section}");
            seen.push(key.to_owned());
        }
        seen
    }

    #[test]
    fn units_of_every_preset_use_only_quadlet_4_9_keys_and_fill_every_value() {
        for rootless in [false, true] {
            for (preset, postgres) in [("mirror", false), ("standalone", true), ("standalone", false), ("full", false)]
            {
                let mut install = record(rootless);
                install.preset = preset.into();
                install.postgres_image = postgres.then(|| DEFAULT_POSTGRES_IMAGE.to_owned());
                let units = install.units();
                let names: Vec<&str> = units.iter().map(|(n, _)| *n).collect();
                let expected: &[&str] = match (preset, postgres) {
                    ("full", _) => &["quay.container", "quay-worker.container"],
                    (_, true) => &["quay.container", "quay-postgres.container", "quay-postgres.volume", "quay.network"],
                    _ => &["quay.container"],
                };
                assert_eq!(names, expected);
                for (name, unit) in &units {
                    let keys = quadlet_keys(name, unit);
                    if name.ends_with(".container") {
                        for key in ["Image", "Volume", "LogDriver"] {
                            assert!(keys.iter().any(|k| k == key), "{name}: {key} missing");
                        }
                        assert!(unit.contains("Restart=always"), "{name}");
                        assert!(unit.contains("WantedBy="), "{name}");
                    }
                }
                let registry = &units[0].1;
                for key in ["Exec", "PublishPort", "HealthCmd"] {
                    assert!(registry.contains(&format!("\n{key}=")), "{key} missing");
                }
                // Shared with the worker's container in `full`: :z; the registry's alone otherwise: :Z.
                let relabel = if preset == "full" { "z" } else { "Z" };
                assert!(registry.contains(&format!("Volume=/var/lib/quay:/data:{relabel}")), "{registry}");
                assert!(registry.contains("PublishPort=[::]:8443:8443"));
                assert_eq!(registry.contains("UserNS=keep-id:uid=1001,gid=1001"), rootless);
                assert_eq!(registry.contains("--no-workers"), preset == "full");
                assert_eq!(registry.contains("Network=quay.network"), postgres);
                assert_eq!(registry.contains("Requires=quay-postgres.service"), postgres);
                let services = install.services();
                assert_eq!(services.contains(&"quay-worker.service"), preset == "full");
                assert_eq!(services.first() == Some(&"quay-postgres.service"), postgres);
            }
        }
    }
}
