//! `quay install`, `upgrade` and `uninstall` on this host: the data dir, TLS, first superuser,
//! Quadlet unit, install record, backups and health checks are real. Podman 4.3 has no Quadlet and
//! systemd is not PID 1 here, so `QUAY_RUNNER` points their calls at a script that records them
//! and plays the service: `systemctl start` runs `quay serve` on the data dir, unless the unit's
//! image is named `broken` (it then never answers, and `broken-migrating` also moves the schema,
//! as a new version that migrated and then failed would) or is a `quay-image-test` image: that one
//! really runs, as a podman container made from the unit's lines (here podman runs containers as
//! root with runc, cgroupfs and the host's network). `podman load` is podman's own.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;

struct Host {
    root: tempfile::TempDir,
    port: u16,
}

impl Host {
    /// A host whose podman reports `podman_version`.
    fn new(podman_version: &str) -> Host {
        let root = tempfile::tempdir().unwrap();
        // Like /etc: the record's and units' folders are readable by the service's user, as which
        // root's host commands act on its data dir.
        std::fs::set_permissions(root.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let host = Host { root, port };
        let script = format!(
            r#"#!/bin/sh
root='{root}'
echo "$*" >> "$root/runner.log"
case "$1 $2 $3" in
  "podman --version "*) echo "podman version {podman_version}" ;;
  "podman load "*) shift; exec podman "$@" ;;
  "loginctl show-user "*) echo no ;;
  "systemctl is-active "*)
    if [ -f "$root/server.pid" ] || [ -f "$root/container" ]; then echo active; else echo inactive; exit 3; fi ;;
  "systemctl start quay.service")
    image=$(sed -n 's/^Image=//p' "$root/units/quay.container")
    case "$image" in
      *broken-migrating*) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE alembic_version SET version_num='ffffffffffff'\"); c.commit()" "$root/data/quay.db" ;;
      *broken*) ;;
      *quay-image-test*)
        unit="$root/units/quay.container"
        volume=$(sed -n 's/^Volume=//p' "$unit")
        command=$(sed -n 's/^Exec=//p' "$unit" | sed 's/\[::\]:8443/127.0.0.1:{port}/')
        hard=$(ulimit -Hn)
        podman run -d --name "quay-image-test-{port}" --runtime runc --cgroup-manager cgroupfs --network host \
          --ulimit "nofile=$hard:$hard" --ulimit nproc=4096:4096 --volume "$volume" "$image" $command >/dev/null
        echo "quay-image-test-{port}" > "$root/container" ;;
      *) '{bin}' serve --data-dir "$root/data" --listen 127.0.0.1:{port} >>"$root/server.log" 2>&1 </dev/null &
         echo $! > "$root/server.pid" ;;
    esac ;;
  "systemctl stop quay.service")
    if [ -f "$root/container" ]; then podman rm -f -t 10 "$(cat "$root/container")" >/dev/null; rm -f "$root/container"; fi
    if [ -f "$root/server.pid" ]; then
      pid=$(cat "$root/server.pid"); rm -f "$root/server.pid"
      kill "$pid" 2>/dev/null
      # Gone, or a zombie its new parent has not reaped yet.
      while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*zombie' "/proc/$pid/status" 2>/dev/null; do sleep 0.05; done
    fi ;;
esac
"#,
            root = host.root.path().display(),
            bin = BIN,
            port = port,
        );
        let runner = host.path("runner");
        std::fs::write(&runner, script).unwrap();
        std::fs::set_permissions(&runner, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        host
    }

    fn path(&self, name: &str) -> String {
        self.root.path().join(name).to_str().unwrap().to_owned()
    }

    fn listen(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Runs `quay ARGS` as the installer would be run on this host, with `stdin`.
    fn quay(&self, args: &[&str], stdin: &str) -> std::process::Output {
        let mut child = Command::new(BIN)
            .args(args)
            .env("QUAY_INSTALL_RECORD", self.path("install.json"))
            .env("QUAY_RUNNER", self.path("runner"))
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

    /// Runs `quay ARGS`, which must fail; returns its standard error.
    fn fails(&self, args: &[&str], stdin: &str) -> String {
        let out = self.quay(args, stdin);
        assert!(!out.status.success(), "quay {args:?} succeeded: {}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// The podman, systemctl and loginctl calls made since the last look.
    fn calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.path("runner.log")).unwrap_or_default();
        let _ = std::fs::remove_file(self.path("runner.log"));
        text.lines().map(str::to_owned).collect()
    }

    fn unit(&self) -> String {
        std::fs::read_to_string(self.path("units/quay.container")).unwrap()
    }

    fn record(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.path("install.json")).unwrap()).unwrap()
    }

    async fn wait_healthy(&self) {
        let url = format!("https://localhost:{}", self.port);
        let ca = self.path("data/rootCA.pem");
        wait_until("the service answers its health check", || async {
            quay_output(&["health", "--url", &url, "--ca", &ca], "").status.success()
        })
        .await;
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Ok(name) = std::fs::read_to_string(self.path("container")) {
            let _ = Command::new("podman").args(["rm", "-f", name.trim()]).output();
        }
        if let Ok(pid) = std::fs::read_to_string(self.path("server.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[tokio::test]
async fn install_writes_the_unit_and_record_and_uninstall_keeps_data_unless_purged() {
    let host = Host::new("4.9.4-rhel");
    let (data, units, listen) = (host.path("data"), host.path("units"), host.listen());
    let port = host.port;
    let install =
        ["install", "--data-dir", &data, "--unit-dir", &units, "--hostname", "localhost", "--listen", &listen];
    let mut no_start = install.to_vec();
    no_start.extend(["--no-start", "--password-stdin"]);
    let out = host.ok(&no_start, "install-password\n");
    assert!(out.contains("skipped with --no-start: podman version, cgroups v2, linger"), "{out}");
    assert!(host.calls().is_empty(), "--no-start calls nothing");

    let unit = host.unit();
    assert!(unit.contains(&format!("Volume={data}:/data:Z")), "{unit}");
    assert!(unit.contains(&format!("PublishPort={listen}:8443")), "{unit}");
    assert!(unit.contains("HealthCmd=/quay health --url https://localhost:8443 --ca /data/rootCA.pem"), "{unit}");
    let record = host.record();
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
    assert_eq!(status["install"]["preset"], "mirror");
    assert_eq!(status["install"]["units"], serde_json::json!([{"file": "quay.container", "present": true}]));
    assert_eq!(status["install"]["services"], serde_json::json!([{"name": "quay.service", "state": "inactive"}]));
    let users = host.ok(&["admin", "user", "list"], "");
    assert!(users.contains("admin"), "{users}");

    // A second install is refused, saying how to proceed.
    let err = host.fails(&no_start, "install-password\n");
    assert!(err.contains("quay uninstall"), "{err}");

    // Uninstall stops and removes the unit and the record; the data stays.
    host.ok(&["uninstall"], "");
    assert_eq!(host.calls(), ["systemctl stop quay.service", "systemctl daemon-reload"]);
    assert!(!std::path::Path::new(&format!("{units}/quay.container")).exists());
    assert!(!std::path::Path::new(&host.path("install.json")).exists());
    assert!(std::path::Path::new(&data).join("quay.db").exists());

    // Installed again on the same data and started; purged without a question with --yes.
    host.ok(&install, "");
    assert_eq!(host.calls(), ["podman --version", "systemctl daemon-reload", "systemctl start quay.service"]);
    host.wait_healthy().await;
    let status = host.ok(&["status"], "");
    assert!(status.contains("service:      quay.service active"), "{status}");
    host.calls();
    let err = host.fails(&["uninstall", "--purge"], "no\n");
    assert!(err.contains("nothing removed"), "{err}");
    assert!(std::path::Path::new(&data).exists());
    host.ok(&["uninstall", "--purge", "--yes"], "");
    assert!(!std::path::Path::new(&data).exists());
}

#[tokio::test]
async fn preflight_names_every_problem_and_changes_nothing() {
    // This machine's own podman: 4.3 has no Quadlet.
    let host = Host::new("4.3.1");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap().to_string();
    let data = host.path("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(format!("{data}/notes.txt"), "not a registry").unwrap();
    let units = host.path("units");
    let args =
        ["install", "--data-dir", &data, "--unit-dir", &units, "--hostname", "registry.test", "--listen", &listen];
    let err = host.fails(&args, "");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(err.contains("podman 4.3 has no Quadlet"), "{err}");
    assert!(err.contains(&format!("{listen} is taken")), "{err}");
    assert!(err.contains("holds files but no config.yaml"), "{err}");
    assert_eq!(host.calls(), ["podman --version"]);
    assert!(!std::path::Path::new(&units).exists());
    assert!(!std::path::Path::new(&host.path("install.json")).exists());
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 1);

    // A system folder is never a data dir: the unit would relabel it for SELinux.
    let err = host.fails(&["install", "--data-dir", "/var/lib", "--no-start", "--hostname", "registry.test"], "");
    assert!(err.contains("/var/lib cannot be the data dir"), "{err}");

    // The operator's certificate is checked before it is taken, and kept as given.
    let (cert, key) = (host.path("custom.crt"), host.path("custom.key"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "90"])
        .args(["-subj", "/CN=registry.test", "-addext", "subjectAltName=DNS:registry.test"])
        .args(["-keyout", &key, "-out", &cert])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let fresh = host.path("fresh");
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let custom = ["install", "--data-dir", &fresh, "--unit-dir", &units, "--listen", &free, "--no-start"];
    let mut other_name = custom.to_vec();
    other_name.extend(["--hostname", "other.test", "--ssl-cert", &cert, "--ssl-key", &key]);
    let err = host.fails(&other_name, "");
    assert!(err.contains("does not hold the name other.test"), "{err}");
    assert!(!std::path::Path::new(&fresh).exists());
    other_name.push("--ssl-skip-hostname-verification");
    host.ok(&other_name, "");
    assert_eq!(std::fs::read(format!("{fresh}/ssl.cert")).unwrap(), std::fs::read(&cert).unwrap());
    assert!(!std::path::Path::new(&format!("{fresh}/ssl.generated")).exists());
    assert!(host.unit().contains("HealthCmd=/quay health --url https://localhost:8443 --insecure"));
    assert_eq!(host.record()["custom_tls"], true);
}

#[tokio::test]
async fn upgrade_keeps_hostname_port_and_secrets_and_rolls_back_an_unhealthy_version() {
    let host = Host::new("4.9.4");
    let (data, units, listen) = (host.path("data"), host.path("units"), host.listen());
    host.ok(
        &["install", "--data-dir", &data, "--unit-dir", &units, "--hostname", "localhost", "--listen", &listen]
            .into_iter()
            .chain(["--image", "localhost/quay:1", "--password-stdin"])
            .collect::<Vec<_>>(),
        "install-password\n",
    );
    host.wait_healthy().await;
    host.ok(&["admin", "org", "create", "kept"], "");
    let secrets = |file: &str| std::fs::read(format!("{data}/{file}")).unwrap();
    let (config, signing_key, leaf) = (secrets("config.yaml"), secrets("quay.pem"), secrets("ssl.cert"));

    // Units written by an earlier version: its own lines, its own image.
    let earlier = host.unit().replace("RestartSec=5\n", "").replace("HealthStartPeriod=60s\n", "");
    std::fs::write(host.path("units/quay.container"), &earlier).unwrap();
    host.calls();

    let out = host.ok(&["upgrade", "--image", "localhost/quay:2", "--health-timeout", "60"], "");
    assert!(out.contains("upgraded localhost/quay:1 -> localhost/quay:2"), "{out}");
    assert_eq!(
        host.calls(),
        ["podman --version", "systemctl stop quay.service", "systemctl daemon-reload", "systemctl start quay.service"]
    );
    let unit = host.unit();
    assert!(unit.contains("Image=localhost/quay:2") && unit.contains("RestartSec=5"), "{unit}");
    assert!(unit.contains(&format!("PublishPort={listen}:8443")), "{unit}");
    assert_eq!(host.record()["hostname"], format!("localhost:{}", host.port));
    assert_eq!(host.record()["image"], "localhost/quay:2");
    assert_eq!((secrets("config.yaml"), secrets("quay.pem"), secrets("ssl.cert")), (config.clone(), signing_key, leaf));
    let backups: Vec<_> = std::fs::read_dir(format!("{data}/backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(backups[0].to_string_lossy().contains("before-upgrade-"), "{backups:?}");
    host.wait_healthy().await;
    assert!(host.ok(&["admin", "org", "list"], "").contains("kept"));
    // A metadata backup is not a data dir to restore anywhere: it holds no blobs.
    let err =
        host.fails(&["restore", "--from", backups[0].to_str().unwrap(), "--data-dir", &host.path("elsewhere")], "");
    assert!(err.contains("holds no blobs"), "{err}");

    // A version that migrates the schema and never answers: rolled back, schema included.
    let err = host.fails(&["upgrade", "--image", "localhost/quay:broken-migrating", "--health-timeout", "3"], "");
    assert!(err.contains("failed; rolled back to localhost/quay:2"), "{err}");
    assert!(err.contains("schema change undone"), "{err}");
    assert!(err.contains("it is healthy again"), "{err}");
    assert!(host.unit().contains("Image=localhost/quay:2"));
    assert_eq!(host.record()["image"], "localhost/quay:2");
    host.wait_healthy().await;
    assert!(host.ok(&["admin", "org", "list"], "").contains("kept"));
    assert_eq!(secrets("config.yaml"), config);

    // One that fails without touching the schema: the units go back, the database stays.
    let err = host.fails(&["upgrade", "--image", "localhost/quay:broken", "--health-timeout", "2"], "");
    assert!(err.contains("rolled back to localhost/quay:2; it is healthy again"), "{err}");
    host.ok(&["uninstall"], "");
}

/// The production image's runtime stage, built offline from the binary under test and its shared
/// libraries by `packaging/bundle` (which also writes the image archive and checksums a
/// disconnected site carries), installed from that archive and run as the unit says; skopeo
/// pushes and pulls through it over TLS verified against the install's CA.
#[tokio::test]
async fn the_bundled_image_installs_from_its_archive_and_serves_over_tls() {
    let host = Host::new("4.9.4");
    let bundle = host.path("bundle");
    let made = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/bundle"))
        .args(["--binary", BIN, "--out", &bundle])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let image = format!("localhost/quay:{}", env!("CARGO_PKG_VERSION"));
    let sums = Command::new("sha256sum").arg("-c").arg("SHA256SUMS").current_dir(&bundle).output().unwrap();
    assert!(sums.status.success(), "{}", String::from_utf8_lossy(&sums.stdout));
    // Named for this test, and gone from podman's store: the install loads it from the archive.
    let archive = host.path("quay-image-test.tar");
    let tag = format!("localhost/quay-image-test:{}", host.port);
    let podman = |args: &[&str]| {
        let out = Command::new("podman").args(args).output().unwrap();
        assert!(out.status.success(), "podman {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    podman(&["tag", &image, &tag]);
    podman(&["save", "-o", &archive, &tag]);
    podman(&["rmi", &tag]);

    let (data, units, listen) = (host.path("data"), host.path("units"), host.listen());
    let install =
        ["install", "--data-dir", &data, "--unit-dir", &units, "--hostname", "localhost", "--listen", &listen];
    let mut args = install.to_vec();
    args.extend(["--image-archive", &archive, "--password-stdin"]);
    host.ok(&args, "image-password\n");
    assert!(host.unit().contains(&format!("Image={tag}")), "{}", host.unit());
    assert_eq!(host.calls()[..2], ["podman --version".to_owned(), format!("podman load --input {archive}")]);
    host.wait_healthy().await;
    // The unit's own health check, inside the container.
    let health = host
        .unit()
        .lines()
        .find_map(|l| l.strip_prefix("HealthCmd="))
        .unwrap()
        .replace(":8443", &format!(":{}", host.port));
    let container = std::fs::read_to_string(host.path("container")).unwrap();
    podman(&[&["exec", container.trim()][..], &health.split_whitespace().collect::<Vec<_>>()].concat());
    // The image's non-root user owns what the registry writes.
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(format!("{data}/quay.db")).unwrap());
    assert_eq!(owner, 1001);

    let work = tempfile::tempdir().unwrap();
    single_image_layout(&work.path().join("src"), &[b"layer one".to_vec(), b"layer two".to_vec()]);
    let certs = work.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::copy(format!("{data}/rootCA.pem"), certs.join("ca.crt")).unwrap();
    let (src, back, certs) = (work.path().join("src"), work.path().join("back"), certs.display().to_string());
    let registry = format!("docker://localhost:{}/admin/app:v1", host.port);
    skopeo(
        ["copy", "--preserve-digests", "--dest-cert-dir", &certs, "--dest-creds", "admin:image-password"]
            .into_iter()
            .map(String::from)
            .chain([format!("oci:{}:v1", src.display()), registry.clone()])
            .collect(),
    )
    .await;
    skopeo(
        ["copy", "--preserve-digests", "--src-cert-dir", &certs, "--src-creds", "admin:image-password"]
            .into_iter()
            .map(String::from)
            .chain([registry, format!("oci:{}:v1", back.display())])
            .collect(),
    )
    .await;
    // Byte-identical: the same manifest digest, and every blob of it.
    let manifest_of = |dir: &std::path::Path| {
        let index: Value = serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
        index["manifests"][0]["digest"].as_str().unwrap().to_owned()
    };
    assert_eq!(manifest_of(&back), manifest_of(&src));
    for blob in std::fs::read_dir(src.join("blobs/sha256")).unwrap() {
        let blob = blob.unwrap();
        let pulled = std::fs::read(back.join("blobs/sha256").join(blob.file_name()));
        assert_eq!(pulled.ok(), std::fs::read(blob.path()).ok(), "{:?}", blob.file_name());
    }
    host.ok(&["uninstall"], "");
    assert!(!std::path::Path::new(&host.path("container")).exists());
    podman(&["rmi", &tag, &image]);
}

/// The plain systemd units pass `systemd-analyze verify` without a warning (unknown keys are only
/// warned about, so the test takes any output as a failure).
#[test]
fn the_plain_systemd_units_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut units = Vec::new();
    for name in ["quay.service", "quay-worker.service"] {
        let text = std::fs::read_to_string(format!("{}/packaging/systemd/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        // The executable must exist where the unit says; the RPM puts it in /usr/bin.
        let path = dir.path().join(name);
        std::fs::write(&path, text.replace("/usr/bin/quay", BIN)).unwrap();
        units.push(path);
    }
    let out = Command::new("systemd-analyze").arg("verify").args(&units).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

/// `standalone` brings its own PostgreSQL container (units, password, network), and the registry's
/// first start creates the superuser chosen at install; `full` installs on --config's PostgreSQL
/// and object storage with a worker unit, and refuses what its nodes could not share.
#[tokio::test]
async fn standalone_and_full_presets_install_on_postgresql() {
    let host = Host::new("4.9.4");
    let (data, units, listen) = (host.path("data"), host.path("units"), host.listen());
    let common =
        ["--no-start", "--data-dir", &data, "--unit-dir", &units, "--hostname", "localhost", "--listen", &listen];
    let mut args = vec!["install", "--preset", "standalone", "--password-stdin"];
    args.extend(common);
    host.ok(&args, "standalone-password\n");
    for unit in ["quay.container", "quay-postgres.container", "quay-postgres.volume", "quay.network"] {
        assert!(std::path::Path::new(&format!("{units}/{unit}")).exists(), "{unit}");
    }
    assert!(host.unit().contains("Requires=quay-postgres.service") && host.unit().contains("Network=quay.network"));
    let env = std::fs::read_to_string(format!("{data}/postgres.env")).unwrap();
    let db_password = env.lines().find_map(|l| l.strip_prefix("POSTGRESQL_PASSWORD=")).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(format!("{data}/postgres.env")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let config = std::fs::read_to_string(format!("{data}/config.yaml")).unwrap();
    assert!(config.contains(&format!("postgresql://quay:{db_password}@quay-postgres:5432/quay")), "{config}");
    assert!(!std::path::Path::new(&format!("{data}/quay.db")).exists());

    // Its first start (here on the test's PostgreSQL: containers of that image cannot run here)
    // creates the chosen superuser, who logs in with the password given at install.
    let db = postgres_database();
    let config = config.lines().map(|l| if l.starts_with("DB_URI:") { format!("DB_URI: {db}") } else { l.to_owned() });
    std::fs::write(format!("{data}/config.yaml"), config.collect::<Vec<_>>().join("\n")).unwrap();
    let mut server = Proc::spawn(&["serve", "--data-dir", &data, "--listen", &listen], &[]);
    server.wait_for("serving the registry").await;
    assert!(server.log().contains("created the first superuser chosen at install"), "{}", server.log());
    let ca = reqwest::Certificate::from_pem(&std::fs::read(format!("{data}/rootCA.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
    let url = format!("https://localhost:{}/v2/auth?service=localhost:{}", host.port, host.port);
    let login = client.get(&url).basic_auth("admin", Some("standalone-password")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let wrong = client.get(&url).basic_auth("admin", Some("another-password")).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(!std::path::Path::new(&format!("{data}/auth/first-superuser")).exists());
    server.kill();

    // full: --config's database and object storage, the background jobs in their own unit.
    let host = Host::new("4.9.4");
    let (data, units, listen) = (host.path("data"), host.path("units"), host.listen());
    let common =
        ["--no-start", "--data-dir", &data, "--unit-dir", &units, "--hostname", "localhost", "--listen", &listen];
    let write_config = |name: &str, db: &str, storage: &str| {
        let path = host.path(name);
        std::fs::write(
            &path,
            format!("SERVER_HOSTNAME: localhost\nDB_URI: {db}\n{storage}DISTRIBUTED_STORAGE_PREFERENCE: [default]\n"),
        )
        .unwrap();
        path
    };
    let local = write_config(
        "local.yaml",
        &postgres_database(),
        "DISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {storage_path: storage}]\n",
    );
    let mut args = vec!["install", "--preset", "full", "--config", &local];
    args.extend(common);
    assert!(host.fails(&args, "").contains("cannot share"));
    let unreachable = write_config("down.yaml", "postgresql://quay@127.0.0.1:1/quay", &s3_storage_config());
    let mut args = vec!["install", "--preset", "full", "--config", &unreachable];
    args.extend(common);
    assert!(host.fails(&args, "").contains("nothing was changed"));
    assert!(!std::path::Path::new(&data).exists());
    let mut args = vec!["install", "--preset", "mirror", "--config", &unreachable];
    args.extend(common);
    assert!(host.fails(&args, "").contains("takes no --config"));

    let full = write_config("full.yaml", &postgres_database(), &s3_storage_config());
    let mut args = vec!["install", "--preset", "full", "--config", &full, "--password-stdin"];
    args.extend(common);
    host.ok(&args, "full-password\n");
    assert!(host.unit().contains("Exec=serve --data-dir /data --listen [::]:8443 --no-workers"), "{}", host.unit());
    let worker = std::fs::read_to_string(format!("{units}/quay-worker.container")).unwrap();
    assert!(worker.contains("Exec=worker --data-dir /data"), "{worker}");
    let users = host.ok(&["admin", "user", "list"], "");
    assert!(users.contains("admin"), "{users}");
    host.ok(&["uninstall", "--no-start"], "");
    assert!(!std::path::Path::new(&format!("{units}/quay-worker.container")).exists());
}
