//! The command line as an operator uses it: first start of a data folder over TLS, `init`,
//! `config validate`, `version`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::common::{BIN, Proc, write_config};

#[tokio::test]
async fn first_start_creates_the_data_folder_and_serves_tls() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("quay-data");
    let mut server = Proc::spawn(&["serve", "--listen", "127.0.0.1:0"], &[("QUAY_DATA_DIR", dir.to_str().unwrap())]);
    let line = server.wait_for("serving the registry").await;
    let host = line.split("address=").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap().to_owned();
    let password_file = dir.join("auth/admin-password");
    use std::os::unix::fs::PermissionsExt as _;
    for private in ["auth/admin-password", "config.yaml", "quay.db", "ssl.key", "quay.pem"] {
        let mode = std::fs::metadata(dir.join(private)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{private}");
    }
    let config = std::fs::read_to_string(dir.join("config.yaml")).unwrap();
    assert!(config.contains("DB_URI: sqlite:///") && config.contains("LocalStorage"), "{config}");
    let password = std::fs::read_to_string(&password_file).unwrap().trim().to_owned();

    // A real client pushes over TLS (self-signed: verification off) with the generated password.
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("img");
    let (manifest, _) = crate::common::single_image_layout(&layout, &[]);
    let out = Command::new("skopeo")
        .args([
            "copy",
            "--dest-tls-verify=false",
            "--dest-creds",
            &format!("admin:{password}"),
            &format!("oci:{}:v1", layout.display()),
            &format!("docker://{host}/admin/first:v1"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            "--raw",
            "--creds",
            &format!("admin:{password}"),
            &format!("docker://{host}/admin/first:v1"),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), manifest);
    // Wrong password: refused.
    let out = Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            "--raw",
            "--creds",
            "admin:wrong-password",
            &format!("docker://{host}/admin/first:v1"),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unauthorized") || stderr.contains("invalid username/password"), "{stderr}");
}

#[test]
fn init_is_idempotent_and_never_silently_changes_a_password() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "");
    let config = dir.path().to_str().unwrap();
    let init = |password: &str| {
        let mut child = Command::new(BIN)
            .args(["init", "--config", config, "--user", "admin", "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(init("first-password").status.success());
    let again = init("first-password");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists"));
    let changed = init("another-password");
    assert!(!changed.status.success());
    assert!(String::from_utf8_lossy(&changed.stderr).contains("not changed"));
    let short = init("short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));
}

#[test]
fn config_validate_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), "FEATURE_MADE_UP: true\n");
    let out = Command::new(BIN).args(["config", "validate", "--config", path.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FEATURE_MADE_UP"));
    let bad = write_config(dir.path(), "FEATURE_ANONYMOUS_ACCESS: perhaps\n");
    let out = Command::new(BIN).args(["config", "validate", "--config", bad.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("FEATURE_ANONYMOUS_ACCESS") && err.lines().count() == 1, "{err}");
    let out = Command::new(BIN).arg("version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("9fa37f66a9b6"));
}

#[test]
fn every_preset_validates() {
    let dir = tempfile::tempdir().unwrap();
    let values = [
        ("${HOSTNAME}", "registry.example.com"),
        ("${DATA_DIR}", "/var/lib/quay"),
        ("${DB_USER}", "quay"),
        ("${DB_PASSWORD}", "secret"),
        ("${DB_HOST}", "db.example.com"),
        ("${DB_NAME}", "quay"),
        ("${BUCKET}", "quay-blobs"),
        ("${S3_REGION}", "us-east-1"),
        ("${S3_ACCESS_KEY}", "AKIAEXAMPLE"),
        ("${S3_SECRET_KEY}", "example"),
        ("${S3_ENDPOINT}", "https://s3.example.com"),
        ("${SECRET_KEY}", "a-secret"),
        ("${DATABASE_SECRET_KEY}", "another-secret"),
    ];
    for preset in ["mirror", "standalone", "full"] {
        let mut text =
            std::fs::read_to_string(format!("{}/presets/{preset}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
        for (k, v) in values {
            text = text.replace(k, v);
        }
        assert!(!text.contains("${"), "{preset}: a placeholder has no test value");
        let path = dir.path().join(format!("{preset}.yaml"));
        std::fs::write(&path, text).unwrap();
        let out = Command::new(BIN).args(["config", "validate", "--config", path.to_str().unwrap()]).output().unwrap();
        assert!(out.status.success(), "{preset}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{preset} has warnings: {}", String::from_utf8_lossy(&out.stderr));
    }
}
