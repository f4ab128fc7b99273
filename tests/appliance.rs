//! `quay install` and `quay uninstall` on this host: the data dir, TLS, first superuser, Quadlet
//! unit and install record are real; systemctl and loginctl cannot run here, so their calls are
//! recorded (`QUAY_RUNNER_LOG`) and checked.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;

struct Host {
    root: tempfile::TempDir,
}

impl Host {
    fn path(&self, name: &str) -> String {
        self.root.path().join(name).to_str().unwrap().to_owned()
    }

    /// Runs `quay ARGS` as the installer would be run on this host, with `stdin`.
    fn quay(&self, args: &[&str], stdin: &str) -> std::process::Output {
        let mut child = Command::new(BIN)
            .args(args)
            .env("QUAY_INSTALL_RECORD", self.path("install.json"))
            .env("QUAY_RUNNER_LOG", self.path("runner.log"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.quay(args, stdin);
        assert!(out.status.success(), "quay {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The systemctl and loginctl calls made since the last look.
    fn calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.path("runner.log")).unwrap_or_default();
        let _ = std::fs::remove_file(self.path("runner.log"));
        text.lines().map(str::to_owned).collect()
    }
}

#[tokio::test]
async fn install_writes_the_unit_and_record_and_uninstall_keeps_data_unless_purged() {
    let host = Host { root: tempfile::tempdir().unwrap() };
    let (data, units) = (host.path("data"), host.path("units"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let install =
        ["install", "--data-dir", &data, "--unit-dir", &units, "--hostname", "localhost", "--listen", &listen];
    let mut no_start = install.to_vec();
    no_start.extend(["--no-start", "--password-stdin"]);
    host.ok(&no_start, "install-password\n");
    assert!(host.calls().is_empty(), "--no-start calls nothing");

    let unit = std::fs::read_to_string(format!("{units}/quay.container")).unwrap();
    assert!(unit.contains(&format!("Volume={data}:/data:Z")), "{unit}");
    assert!(unit.contains(&format!("PublishPort={listen}:8443")), "{unit}");
    assert!(unit.contains("HealthCmd=/quay health --url https://localhost:8443 --ca /data/rootCA.pem"), "{unit}");
    let record: Value = serde_json::from_str(&std::fs::read_to_string(host.path("install.json")).unwrap()).unwrap();
    assert_eq!(record["hostname"], format!("localhost:{port}"));
    assert_eq!(record["data_dir"], data.as_str());
    assert_eq!(record["rootless"], false);
    for file in ["config.yaml", "quay.db", "quay.pem", "rootCA.pem", "ssl.cert", "ssl.generated"] {
        assert!(std::path::Path::new(&data).join(file).exists(), "{file}");
    }
    // Host tools find the install through its record, without --data-dir.
    let status: Value = serde_json::from_str(&host.ok(&["status", "--json"], "")).unwrap();
    assert_eq!(status["url"], format!("https://localhost:{port}"));
    assert_eq!(status["data_dir"], data.as_str());
    assert_eq!(status["certificate"]["problems"], serde_json::json!([]));
    let users = host.ok(&["admin", "user", "list"], "");
    assert!(users.contains("admin"), "{users}");

    // A second install is refused, saying how to proceed.
    let out = host.quay(&no_start, "install-password\n");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("quay uninstall"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Uninstall stops and removes the unit and the record; the data stays.
    host.ok(&["uninstall"], "");
    assert_eq!(host.calls(), ["systemctl stop quay.service", "systemctl daemon-reload"]);
    assert!(!std::path::Path::new(&format!("{units}/quay.container")).exists());
    assert!(!std::path::Path::new(&host.path("install.json")).exists());
    assert!(std::path::Path::new(&data).join("quay.db").exists());

    // Installed again on the same data and started; purged without a question with --yes.
    host.ok(&install, "");
    assert_eq!(host.calls(), ["systemctl daemon-reload", "systemctl start quay.service"]);
    let out = host.quay(&["uninstall", "--purge"], "no\n");
    assert!(!out.status.success() && std::path::Path::new(&data).exists());
    host.ok(&["uninstall", "--purge", "--yes"], "");
    assert!(!std::path::Path::new(&data).exists());
}
