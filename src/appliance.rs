//! The installed appliance: its install record, its Quadlet units, and the one runner through
//! which `podman`, `systemctl` and `loginctl` are called (tests record the calls instead:
//! `QUAY_RUNNER_LOG`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

/// The registry's unit, as `quadlet/quay.container` describes it.
const QUAY_CONTAINER: &str = include_str!("../quadlet/quay.container");
/// The unit's file name, and the service Quadlet generates from it.
pub const UNIT_FILE: &str = "quay.container";
pub const SERVICE: &str = "quay.service";

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
        crate::util::write_file(path, serde_json::to_string_pretty(self)?.as_bytes(), 0o644)
    }

    /// The registry's Quadlet unit for this install.
    pub fn unit(&self) -> String {
        // Rootless, the container's root is the invoking user: files in the data dir stay theirs.
        let user_ns = if self.rootless { "UserNS=keep-id\n" } else { "" };
        QUAY_CONTAINER
            .replace("{image}", &self.image)
            .replace("{data_dir}", &self.data_dir.display().to_string())
            .replace("{publish}", &self.listen)
            .replace("{user_ns}\n", user_ns)
            .replace("{wanted_by}", if self.rootless { "default.target" } else { "multi-user.target default.target" })
    }
}

/// Runs `program args` (the host's podman, systemctl, loginctl), or with `QUAY_RUNNER_LOG` set
/// appends the call to that file and succeeds: systemd and Quadlet cannot run in the tests.
pub fn run(program: &str, args: &[&str]) -> anyhow::Result<()> {
    if let Some(log) = std::env::var_os("QUAY_RUNNER_LOG") {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .with_context(|| format!("cannot record to {}", Path::new(&log).display()))?;
        writeln!(f, "{program} {}", args.join(" "))?;
        return Ok(());
    }
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {program}; is it installed?"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!("{program} {} failed: {}", args.join(" "), err.lines().last().unwrap_or("").trim());
    }
    Ok(())
}

/// `systemctl`, with `--user` for a rootless install.
pub fn systemctl(rootless: bool, args: &[&str]) -> anyhow::Result<()> {
    let mut all = Vec::with_capacity(args.len() + 1);
    if rootless {
        all.push("--user");
    }
    all.extend_from_slice(args);
    run("systemctl", &all)
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
        }
    }

    #[test]
    fn units_use_only_quadlet_4_9_keys_and_fill_every_value() {
        for rootless in [false, true] {
            let unit = record(rootless).unit();
            assert!(!unit.contains('{'), "{unit}");
            let mut section = "";
            let mut seen = Vec::new();
            for line in unit.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                if line.starts_with('[') {
                    section = line;
                    assert!(["[Unit]", "[Container]", "[Service]", "[Install]"].contains(&section), "{line}");
                    continue;
                }
                let (key, value) = line.split_once('=').unwrap();
                assert!(!value.is_empty(), "{line}");
                if section == "[Container]" {
                    assert!(CONTAINER_KEYS_4_9.contains(&key), "Quadlet 4.9 has no {key}");
                    seen.push(key);
                }
            }
            for key in ["Image", "Exec", "Volume", "PublishPort", "HealthCmd", "LogDriver"] {
                assert!(seen.contains(&key), "{key} missing");
            }
            assert!(unit.contains("Volume=/var/lib/quay:/data:Z"));
            assert!(unit.contains("PublishPort=[::]:8443:8443"));
            assert!(unit.contains("Restart=always"));
            assert_eq!(unit.contains("UserNS=keep-id"), rootless);
        }
    }
}
