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
    for private in ["auth/admin-password", "config.yaml", "quay.db", "ssl.key", "rootCA.key", "quay.pem"] {
        let mode = std::fs::metadata(dir.join(private)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{private}");
    }
    for public in ["rootCA.pem", "ssl.cert", "ssl.generated"] {
        let mode = std::fs::metadata(dir.join(public)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{public}");
    }
    // Where the CA is and how to trust it, said once.
    let said = server.stdout();
    assert!(said.contains(&format!("sudo cp {}", dir.join("rootCA.pem").display())), "{said}");
    assert!(said.contains(&format!("/etc/containers/certs.d/{host}/ca.crt")), "{said}");
    let certs = work_certs(&dir);
    let config = std::fs::read_to_string(dir.join("config.yaml")).unwrap();
    assert!(config.contains("DB_URI: sqlite:///") && config.contains("LocalStorage"), "{config}");
    let password = std::fs::read_to_string(&password_file).unwrap().trim().to_owned();

    // A real client pushes over TLS, trusting the install's CA, with the generated password.
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("img");
    let (manifest, _) = crate::common::single_image_layout(&layout, &[]);
    let out = Command::new("skopeo")
        .args([
            "copy",
            "--dest-cert-dir",
            certs.path().to_str().unwrap(),
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
            "--cert-dir",
            certs.path().to_str().unwrap(),
            "--raw",
            "--creds",
            &format!("admin:{password}"),
            &format!("docker://{host}/admin/first:v1"),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), manifest);
    // podman verifies it too, with the CA in its certificate folder.
    let authfile = data.path().join("auth.json");
    let out = Command::new("podman")
        .args(["login", "--cert-dir", certs.path().to_str().unwrap(), "--authfile", authfile.to_str().unwrap()])
        .args(["-u", "admin", "--password-stdin", &host])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(password.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Wrong password: refused.
    let out = Command::new("skopeo")
        .args([
            "inspect",
            "--cert-dir",
            certs.path().to_str().unwrap(),
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

/// A folder holding the data dir's CA as `ca.crt`, as `/etc/containers/certs.d/HOST/` does.
fn work_certs(data_dir: &std::path::Path) -> tempfile::TempDir {
    let certs = tempfile::tempdir().unwrap();
    std::fs::copy(data_dir.join("rootCA.pem"), certs.path().join("ca.crt")).unwrap();
    certs
}

#[tokio::test]
async fn the_served_certificate_verifies_against_the_local_ca_for_names_and_addresses() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("quay-data");
    let args = ["serve", "--listen", "[::]:0", "--hostname", "registry.example"];
    let mut server = Proc::spawn(&args, &[("QUAY_DATA_DIR", dir.to_str().unwrap())]);
    let line = server.wait_for("serving the registry").await;
    let address = line.split("address=").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap();
    let port: u16 = address.rsplit(':').next().unwrap().parse().unwrap();
    let ca = reqwest::Certificate::from_pem(&std::fs::read(dir.join("rootCA.pem")).unwrap()).unwrap();
    // Only the install's CA is trusted: no system roots, no exceptions.
    let strict = reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve("registry.example", std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .build()
        .unwrap();
    for url in [
        format!("https://registry.example:{port}/healthz"),
        format!("https://127.0.0.1:{port}/healthz"),
        format!("https://[::1]:{port}/healthz"),
        format!("https://localhost:{port}/healthz"),
    ] {
        let r = strict.get(&url).send().await.unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!(r.status(), reqwest::StatusCode::OK, "{url}");
    }
    // A name the certificate does not hold is refused.
    let other = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&std::fs::read(dir.join("rootCA.pem")).unwrap()).unwrap()])
        .resolve("elsewhere.example", std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .build()
        .unwrap();
    assert!(other.get(format!("https://elsewhere.example:{port}/healthz")).send().await.is_err());
    // openssl agrees, and the chain holds the CA after the leaf.
    let out = Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(dir.join("rootCA.pem"))
        .arg(dir.join("ssl.cert"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let out =
        Command::new("openssl").args(["x509", "-noout", "-text", "-in"]).arg(dir.join("ssl.cert")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for needed in [
        "DNS:registry.example",
        "DNS:localhost",
        "IP Address:127.0.0.1",
        "IP Address:0:0:0:0:0:0:0:1",
        "TLS Web Server Authentication",
        "CA:FALSE",
    ] {
        assert!(text.contains(needed), "{needed} in {text}");
    }
    let out =
        Command::new("openssl").args(["x509", "-noout", "-text", "-in"]).arg(dir.join("rootCA.pem")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CA:TRUE") && text.contains("Certificate Sign"), "{text}");

    // A restart keeps the certificate; another name gets a new one from the same CA.
    server.kill();
    let ca_before = std::fs::read(dir.join("rootCA.pem")).unwrap();
    let cert_before = std::fs::read(dir.join("ssl.cert")).unwrap();
    let mut again = Proc::spawn(&args, &[("QUAY_DATA_DIR", dir.to_str().unwrap())]);
    again.wait_for("serving the registry").await;
    assert_eq!(std::fs::read(dir.join("ssl.cert")).unwrap(), cert_before);
    again.kill();
    let renamed = ["serve", "--listen", "127.0.0.1:0", "--hostname", "[fd00::1]:8443"];
    let mut third = Proc::spawn(&renamed, &[("QUAY_DATA_DIR", dir.to_str().unwrap())]);
    third.wait_for("serving the registry").await;
    assert_eq!(std::fs::read(dir.join("rootCA.pem")).unwrap(), ca_before);
    let out =
        Command::new("openssl").args(["x509", "-noout", "-text", "-in"]).arg(dir.join("ssl.cert")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("IP Address:FD00:0:0:0:0:0:0:1") && text.contains("DNS:registry.example"), "{text}");
}

#[tokio::test]
async fn a_custom_certificate_is_served_as_it_is_and_half_a_pair_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    write_config(dir, "");
    // The operator's own pair, made outside quay (no ssl.generated).
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30"])
        .args(["-subj", "/CN=custom.example", "-addext", "subjectAltName=DNS:custom.example"])
        .arg("-keyout")
        .arg(dir.join("ssl.key"))
        .arg("-out")
        .arg(dir.join("ssl.cert"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let custom = std::fs::read(dir.join("ssl.cert")).unwrap();
    let config = dir.to_str().unwrap();
    let mut server = Proc::spawn(&["serve", "--config", config, "--listen", "127.0.0.1:0"], &[]);
    server.wait_for("serving the registry").await;
    server.kill();
    assert_eq!(std::fs::read(dir.join("ssl.cert")).unwrap(), custom);
    assert!(!dir.join("rootCA.pem").exists() && !dir.join("ssl.generated").exists());

    std::fs::remove_file(dir.join("ssl.key")).unwrap();
    let out = Command::new(BIN).args(["serve", "--config", config, "--listen", "127.0.0.1:0"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("only one of them exists"), "{err}");
    assert_eq!(std::fs::read(dir.join("ssl.cert")).unwrap(), custom);
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
