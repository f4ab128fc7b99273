//! Running the registry: the access log, `/metrics`, a full disk, `SIGHUP`, `quay tls rotate`, the journal, what a pull of a
//! missing repository says.

use std::collections::BTreeSet;
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Checks Prometheus' text format strictly enough: every sample belongs to a family announced by
/// `# HELP` and `# TYPE`, and its value is a number. Returns the sample names.
fn parse_prometheus(text: &str) -> BTreeSet<String> {
    let mut typed = BTreeSet::new();
    let mut helped = BTreeSet::new();
    let mut samples = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let name = parts.next().unwrap();
            let kind = parts.next().unwrap();
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "{line}");
            typed.insert(name.to_owned());
        } else if let Some(rest) = line.strip_prefix("# HELP ") {
            helped.insert(rest.split_whitespace().next().unwrap().to_owned());
        } else {
            assert!(!line.starts_with('#'), "{line}");
            let (series, value) = line.rsplit_once(' ').unwrap();
            assert!(value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value), "{line}");
            let name = series.split('{').next().unwrap();
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix).filter(|f| typed.contains(*f)))
                .unwrap_or(name);
            assert!(typed.contains(family), "no # TYPE for {name}");
            assert!(helped.contains(family), "no # HELP for {name}");
            samples.insert(family.to_owned());
        }
    }
    samples
}

#[tokio::test]
async fn access_log_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    write_config(dir.path(), &format!("METRICS_LISTEN: 127.0.0.1:{port}\n"));
    create_users(dir.path()).await;
    let mut node = Node::start(dir.path(), "", &[]).await;
    node.proc.wait_for("serving metrics").await;
    let t = node.push_token(ALICE, "alice/logged").await;
    node.push_image(&t, "alice/logged", "v1", b"a layer").await;
    let r = node.req(Method::GET, "/v2/alice/logged/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // One line per request, with who and from where.
    let line = node.proc.wait_for("method=GET path=/v2/alice/logged/manifests/v1").await;
    for field in ["method=GET", "status=200", "client=127.0.0.1", "user=alice", "bytes_out=", "ms="] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    assert!(!line.contains('\u{1b}'), "colours in a log that is not a terminal: {line}");

    // The metrics port: the whole text format, with the gauges an operator alerts on.
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await.unwrap().text().await.unwrap();
    let samples = parse_prometheus(&text);
    for name in [
        "quay_http_requests_total",
        "quay_http_request_duration_seconds",
        "quay_repositories",
        "quay_blobs",
        "quay_stored_bytes",
        "quay_uploads_in_progress",
        "quay_gc_backlog",
        "quay_filesystem_free_bytes",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_cpu_seconds_total",
    ] {
        assert!(samples.contains(name), "{name} missing from:\n{text}");
    }
    assert!(text.contains("quay_repositories 1"), "{text}");
    // The registry port: superusers only.
    let r = node.client.get(node.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = node.client.get(node.url("/metrics")).basic_auth(ALICE.0, Some(ALICE.1)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = node.client.get(node.url("/metrics")).basic_auth(ADMIN.0, Some(ADMIN.1)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_full_disk_refuses_uploads_and_still_frees_space() {
    let s = Server::start().await;
    let t = s.push_token(ALICE, "alice/full").await;
    s.push_image(&t, "alice/full", "v1", b"first layer").await;
    let dir = s.stop().await;
    // A threshold above the free space: as if the disk were full.
    let config = std::fs::read_to_string(dir.path().join("config.yaml")).unwrap();
    std::fs::write(dir.path().join("config.yaml"), format!("{config}STORAGE_MIN_FREE: 100%\n")).unwrap();
    let s = Server::start_in(dir).await;
    let t = s.push_token(ALICE, "alice/full").await;
    let r = s.req(Method::POST, "/v2/alice/full/blobs/uploads/", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INSUFFICIENT_STORAGE);
    let body: Value = r.json().await.unwrap();
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("nearly full"), "{body}");
    let health: Value = s.client.get(s.url("/health/instance")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["data"]["services"]["disk_space"], false);
    assert!(health["data"]["disk"][0]["free_bytes"].as_u64().unwrap() > 0);
    // Deleting still works, and so does reading.
    let r = s.req(Method::GET, "/v2/alice/full/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, _) = call(&s, Method::DELETE, "/api/v1/repository/alice/full/tag/v1", &Auth::Basic(ALICE), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

fn served_serial(port: u16) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl s_client -connect 127.0.0.1:{port} -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -serial"
        ))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
async fn sighup_serves_a_replaced_certificate_without_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let mut server = Proc::spawn(&["serve", "--data-dir", dir.to_str().unwrap(), "--listen", "127.0.0.1:0"], &[]);
    let line = server.wait_for("serving the registry").await;
    let port: u16 = line
        .split("address=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let before = served_serial(port);
    assert!(before.starts_with("serial="), "{before}");
    // The operator's own certificate replaces quay's.
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30"])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(dir.join("ssl.key"))
        .arg("-out")
        .arg(dir.join("ssl.cert"))
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    std::fs::remove_file(dir.join("ssl.generated")).unwrap();
    server.signal("HUP");
    server.wait_for("reloaded the TLS certificate").await;
    let after = served_serial(port);
    assert!(after.starts_with("serial=") && after != before, "{before} then {after}");
    let text =
        Command::new("openssl").args(["x509", "-noout", "-serial", "-in"]).arg(dir.join("ssl.cert")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&text.stdout).trim(), after);
    let r = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .unwrap()
        .get(format!("https://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// The serial of the certificate the server at `port` presents, verified against `ca` only (empty
/// when the handshake does not verify).
fn verified_serial(port: u16, ca: &std::path::Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl s_client -connect 127.0.0.1:{port} -servername localhost -CAfile {} -verify_return_error \
             -verify_hostname localhost </dev/null 2>/dev/null | openssl x509 -noout -serial",
            ca.display()
        ))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().trim_start_matches("serial=").to_owned()
}

/// `quay tls rotate` while serving: a client that trusts only `rootCA.pem` keeps connecting and
/// is served the new certificate without a restart; `quay tls show` reports it and the CA with
/// how to trust it; an operator's certificate is never rotated.
#[tokio::test]
async fn tls_rotate_while_serving_keeps_clients_that_trust_the_ca() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let data = dir.to_str().unwrap();
    let port = free_port();
    let (listen, hostname) = (format!("127.0.0.1:{port}"), format!("localhost:{port}"));
    let mut server = Proc::spawn(&["serve", "--data-dir", data, "--listen", &listen, "--hostname", &hostname], &[]);
    server.wait_for("serving the registry").await;
    let ca = dir.join("rootCA.pem");
    let before = verified_serial(port, &ca);
    assert!(!before.is_empty(), "the first certificate does not verify against rootCA.pem");
    let shown: Value = serde_json::from_str(&quay_ok(&["tls", "show", "--data-dir", data, "--json"])).unwrap();
    assert_eq!(shown["certificate"]["serial"], before.as_str());
    assert_eq!(shown["certificate"]["made_by_quay"], true);
    assert_eq!(shown["problems"], serde_json::json!([]));
    assert!(shown["certificate"]["days_left"].as_i64().unwrap() > 390);

    let rotated = quay_ok(&["tls", "rotate", "--data-dir", data]);
    assert!(rotated.starts_with("issued "), "{rotated}");
    let mut after = String::new();
    wait_until("the server serves the rotated certificate", || {
        after = verified_serial(port, &ca);
        let changed = !after.is_empty() && after != before;
        async move { changed }
    })
    .await;
    server.wait_for("serving a new TLS certificate").await;
    let shown: Value = serde_json::from_str(&quay_ok(&["tls", "show", "--data-dir", data, "--json"])).unwrap();
    assert_eq!(shown["certificate"]["serial"], after.as_str());

    let out = quay_output(&["tls", "show", "--ca", "--data-dir", data], "");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), std::fs::read_to_string(&ca).unwrap());
    let how = String::from_utf8_lossy(&out.stderr);
    assert!(
        how.contains("update-ca-trust")
            && how.contains("/etc/containers/certs.d/")
            && how.contains("additionalTrustedCA"),
        "{how}"
    );

    // Without quay's marker the certificate is the operator's: refused in one line, untouched.
    std::fs::remove_file(dir.join("ssl.generated")).unwrap();
    let cert = std::fs::read(dir.join("ssl.cert")).unwrap();
    let out = quay_output(&["tls", "rotate", "--data-dir", data], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("custom certificate") && err.lines().count() == 1, "{err}");
    assert_eq!(std::fs::read(dir.join("ssl.cert")).unwrap(), cert);
}

/// `quay status` on a running install and on a stopped one.
#[tokio::test]
async fn status_reports_health_certificates_and_content() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let data = dir.to_str().unwrap();
    let port = free_port();
    let (listen, hostname) = (format!("127.0.0.1:{port}"), format!("localhost:{port}"));
    let mut server = Proc::spawn(&["serve", "--data-dir", data, "--listen", &listen, "--hostname", &hostname], &[]);
    server.wait_for("serving the registry").await;
    let status: Value = serde_json::from_str(&quay_ok(&["status", "--data-dir", data, "--json"])).unwrap();
    assert_eq!(status["url"], format!("https://{hostname}"));
    assert_eq!(status["health"]["healthy"], true, "{status}");
    assert_eq!(status["certificate"]["made_by_quay"], true);
    assert!(status["certificate"]["days_left"].as_i64().unwrap() > 390);
    assert!(status["certificate"]["ca_days_left"].as_i64().unwrap() > 3600);
    assert_eq!(status["certificate"]["problems"], serde_json::json!([]));
    assert_eq!(status["database"]["engine"], "sqlite");
    assert!(status["database"]["bytes"].as_u64().unwrap() > 0);
    assert_eq!((status["repositories"].as_i64(), status["blobs"].as_i64()), (Some(0), Some(0)));

    server.kill();
    let text = quay_ok(&["status", "--data-dir", data]);
    assert!(text.contains("not healthy") && text.contains("does not answer"), "{text}");
}

#[tokio::test]
async fn a_missing_repository_is_unknown_to_those_who_may_know() {
    let s = Server::start().await;
    let owner = s.token(Some(ALICE), &["repository:alice/missing:pull"]).await;
    let r = s.req(Method::GET, "/v2/alice/missing/manifests/latest", &owner).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(r).await, "NAME_UNKNOWN");
    let outsider = s.token(Some(BOB), &["repository:alice/missing:pull"]).await;
    let r = s.req(Method::GET, "/v2/alice/missing/manifests/latest", &outsider).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// One journal entry in the native protocol: `KEY=value` lines, or a key line followed by the
/// value's length (little-endian u64), the value and a newline.
fn journal_entry(mut bytes: &[u8]) -> std::collections::HashMap<String, String> {
    let mut fields = std::collections::HashMap::new();
    while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
        let line = &bytes[..end];
        if let Some(eq) = line.iter().position(|&b| b == b'=') {
            fields.insert(
                String::from_utf8_lossy(&line[..eq]).into_owned(),
                String::from_utf8_lossy(&line[eq + 1..]).into_owned(),
            );
            bytes = &bytes[end + 1..];
        } else {
            let len = u64::from_le_bytes(bytes[end + 1..end + 9].try_into().unwrap()) as usize;
            let value = &bytes[end + 9..end + 9 + len];
            fields.insert(String::from_utf8_lossy(line).into_owned(), String::from_utf8_lossy(value).into_owned());
            bytes = &bytes[end + 9 + len + 1..];
        }
    }
    fields
}

#[tokio::test]
async fn under_systemd_logs_go_to_the_journal_with_their_fields() {
    // journald is played by a socket of the test's, mounted where the journal's is in a mount
    // namespace of the server's own: the host's /run is left alone.
    let root = tempfile::tempdir().unwrap();
    let journal_dir = root.path().join("journal");
    std::fs::create_dir(&journal_dir).unwrap();
    let journal = std::os::unix::net::UnixDatagram::bind(journal_dir.join("socket")).unwrap();
    journal.set_read_timeout(Some(std::time::Duration::from_millis(200))).unwrap();
    // systemd tells a service its standard error is the journal by that stream's device and inode.
    let stderr_path = root.path().join("stderr");
    let stderr = std::fs::File::create(&stderr_path).unwrap();
    let meta = std::os::unix::fs::MetadataExt::dev(&stderr.metadata().unwrap());
    let ino = std::os::unix::fs::MetadataExt::ino(&stderr.metadata().unwrap());
    let data = root.path().join("data");
    let mut server = Command::new("unshare")
        .args(["--mount", "sh", "-c"])
        .arg("mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && mount --bind \"$0\" /run/systemd/journal && exec \"$@\"")
        .arg(&journal_dir)
        .arg(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("JOURNAL_STREAM", format!("{meta}:{ino}"))
        .env_remove("QUAY_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    let mut entries = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let find = |entries: &[std::collections::HashMap<String, String>], message: &str| {
        entries.iter().find(|e| e.get("MESSAGE").is_some_and(|m| m.starts_with(message))).cloned()
    };
    while find(&entries, "serving the registry").is_none() {
        assert!(std::time::Instant::now() < deadline, "no entry in the journal: {entries:?}");
        assert!(server.try_wait().unwrap().is_none(), "{}", std::fs::read_to_string(&stderr_path).unwrap());
        if let Ok(n) = journal.recv(&mut buf) {
            entries.push(journal_entry(&buf[..n]));
        }
    }
    let serving = find(&entries, "serving the registry").unwrap();
    assert_eq!(serving["SYSLOG_IDENTIFIER"], "quay");
    assert_eq!(serving["PRIORITY"], "5", "info is the journal's notice");
    assert!(serving["TARGET"].starts_with("quay"), "{serving:?}");
    // Every field is a journal field of its own, and in the message as the text log shows it.
    let address = &serving["ADDRESS"];
    assert!(address.starts_with("127.0.0.1:"), "{serving:?}");
    assert!(serving["MESSAGE"].contains(&format!("address={address}")), "{serving:?}");
    assert!(serving.contains_key("STARTUP_MS") && serving.contains_key("URL"), "{serving:?}");
    // A request's access-log entry carries its method, path and status as fields.
    let ca = data.join("rootCA.pem");
    let health = quay_output(&["health", "--url", &format!("https://{address}"), "--ca", ca.to_str().unwrap()], "");
    assert!(health.status.success(), "{}", String::from_utf8_lossy(&health.stderr));
    let is_health = |e: &std::collections::HashMap<String, String>| e.get("PATH").is_some_and(|p| p == "/healthz");
    while !entries.iter().any(is_health) {
        assert!(std::time::Instant::now() < deadline, "no access-log entry in the journal: {entries:?}");
        if let Ok(n) = journal.recv(&mut buf) {
            entries.push(journal_entry(&buf[..n]));
        }
    }
    let request = entries.iter().find(|e| is_health(e)).unwrap();
    assert_eq!((request["METHOD"].as_str(), request["STATUS"].as_str()), ("GET", "200"), "{request:?}");
    let _ = server.kill();
    server.wait().unwrap();
    // Nothing went to standard error besides.
    let text = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(!text.contains("serving the registry"), "{text}");
}

/// Under systemd (`Type=notify`, or a container with `Notify=yes`) the service reports READY=1
/// once it listens and STOPPING=1 when asked to stop; a stop right after readiness is graceful.
#[tokio::test]
async fn under_systemd_readiness_and_stopping_are_reported() {
    let root = tempfile::tempdir().unwrap();
    let socket_path = root.path().join("notify");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    let data = root.path().join("data");
    let mut server = Proc::spawn(
        &["serve", "--data-dir", data.to_str().unwrap(), "--listen", "127.0.0.1:0"],
        &[("NOTIFY_SOCKET", socket_path.to_str().unwrap())],
    );
    let mut buf = [0u8; 256];
    let n = socket.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"READY=1");
    // Ready means listening: the registry answers at once.
    assert!(server.log().contains("serving the registry"), "{}", server.log());
    server.signal("TERM");
    let n = socket.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"STOPPING=1");
    assert!(server.exit().await.success());
    assert!(server.log().contains("stopped"), "{}", server.log());
}
