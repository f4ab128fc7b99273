//! `quay worker`: background jobs run on one process at a time through a database lease, move to
//! another process when the holder dies, and are handed back on a clean shutdown.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use quay::db::queue::lease_holder;
use reqwest::{Method, StatusCode};

use crate::common::*;

const JOB: &str = "blobupload-cleanup";

struct Worker {
    child: Child,
}

impl Worker {
    fn start(config_dir: &std::path::Path, log: &std::path::Path) -> Worker {
        let child = Command::new(env!("CARGO_BIN_EXE_quay"))
            .args(["worker", "--config", config_dir.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        Worker { child }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The process id in a lease holder's name (`host:pid:random`).
fn holder_pid(holder: &str) -> u32 {
    holder.split(':').nth(1).unwrap().parse().unwrap()
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Starts an upload with one chunk; returns its uuid.
async fn upload_one_chunk(s: &Server, token: &str) -> String {
    let start = s.req(Method::POST, "/v2/alice/jobs/blobs/uploads/", token).send().await.unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let r = s.req(Method::PATCH, &location, token).body(vec![1u8; 10_000]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    location.rsplit('/').next().unwrap().to_owned()
}

async fn age_upload(db: &quay::db::Db, uuid: &str) {
    let old = chrono::Utc::now().naive_utc() - chrono::Duration::days(3);
    let statement =
        quay::db::sql(db.backend(), "UPDATE blobupload SET created = ? WHERE uuid = ?", [old.into(), uuid.into()]);
    sea_orm::ConnectionTrait::execute_raw(&db.write, statement).await.unwrap();
}

async fn upload_exists(db: &quay::db::Db, uuid: &str) -> bool {
    let statement = quay::db::sql(db.backend(), "SELECT id FROM blobupload WHERE uuid = ?", [uuid.into()]);
    sea_orm::ConnectionTrait::query_one_raw(&db.read, statement).await.unwrap().is_some()
}

#[tokio::test]
async fn jobs_run_on_one_worker_and_move_when_it_dies() {
    let s = Server::start_with("WORKER_PERIOD_SECONDS: 1\nWORKER_LEASE_SECONDS: 2\n").await;
    let db = s.db().await;
    let t = s.push_token(ALICE, "alice/jobs").await;
    let logs = tempfile::tempdir().unwrap();
    let mut workers = vec![
        Worker::start(s.dir.path(), &logs.path().join("w1.log")),
        Worker::start(s.dir.path(), &logs.path().join("w2.log")),
    ];
    wait_for("a worker holds the lease", || async { lease_holder(&db.read, JOB).await.unwrap().is_some() }).await;
    let first = holder_pid(&lease_holder(&db.read, JOB).await.unwrap().unwrap());
    assert!(workers.iter().any(|w| w.pid() == first));

    // A stale upload goes (row and chunks); a fresh one stays.
    let stale = upload_one_chunk(&s, &t).await;
    let fresh = upload_one_chunk(&s, &t).await;
    let chunks = s.dir.path().join("storage/uploads").join(&stale);
    assert!(chunks.exists());
    age_upload(&db, &stale).await;
    wait_for("the stale upload is removed", || async { !upload_exists(&db, &stale).await }).await;
    assert!(!chunks.exists(), "the stale upload's chunks are left in storage");
    assert!(upload_exists(&db, &fresh).await);
    let r = s.req(Method::GET, &format!("/v2/alice/jobs/blobs/uploads/{stale}"), &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Chunks no upload row names any more go too once as old; recent ones stay.
    let uploads = s.dir.path().join("storage/uploads");
    let (old_orphan, new_orphan) = (uploads.join("orphan-old"), uploads.join("orphan-new"));
    for dir in [&old_orphan, &new_orphan] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("0.chunk"), b"left behind").unwrap();
    }
    let three_days_ago = std::time::SystemTime::now() - Duration::from_secs(3 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(old_orphan.join("0.chunk"))
        .unwrap()
        .set_modified(three_days_ago)
        .unwrap();
    wait_for("the orphaned upload folder is removed", || async { !old_orphan.join("0.chunk").exists() }).await;
    assert!(new_orphan.join("0.chunk").exists());
    // Only one worker ever held it so far.
    assert_eq!(holder_pid(&lease_holder(&db.read, JOB).await.unwrap().unwrap()), first);

    // The holder dies without a word; the other takes the job over once the lease runs out.
    let index = workers.iter().position(|w| w.pid() == first).unwrap();
    drop(workers.remove(index));
    let survivor = workers[0].pid();
    wait_for("the other worker takes the lease over", || async {
        lease_holder(&db.read, JOB).await.unwrap().is_some_and(|h| holder_pid(&h) == survivor)
    })
    .await;
    age_upload(&db, &fresh).await;
    wait_for("the survivor removes the now stale upload", || async { !upload_exists(&db, &fresh).await }).await;

    // A clean shutdown hands the lease back at once.
    let status = Command::new("kill").args(["-TERM", &survivor.to_string()]).status().unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        let mut w = workers.remove(0);
        w.child.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(exit.success(), "worker exit: {exit:?}");
    assert_eq!(lease_holder(&db.read, JOB).await.unwrap(), None);
    let log = std::fs::read_to_string(logs.path().join("w2.log")).unwrap()
        + &std::fs::read_to_string(logs.path().join("w1.log")).unwrap();
    assert!(log.contains("stale uploads removed"), "{log}");
    assert!(!log.contains("ERROR"), "{log}");
}

/// A holder whose renewals stall (its process stopped) keeps the lease until it expires and not a
/// moment longer: the other worker takes the job over only after the expiry the database shows,
/// and the stalled worker, resumed in the middle of a run, stops that run before its next step.
#[tokio::test]
async fn a_stalled_holder_loses_its_lease_at_expiry_and_stops_its_run() {
    let s =
        Server::start_with("WORKER_PERIOD_SECONDS: 1\nWORKER_LEASE_SECONDS: 3\nFEATURE_GARBAGE_COLLECTION: false\n")
            .await;
    let db = s.db().await;
    let t = s.push_token(ALICE, "alice/jobs").await;
    let config = s.dir.path().to_str().unwrap();
    let gate = s.dir.path().join("gate");
    let hooks = format!("upload-cleanup.listed=wait:{}", gate.display());
    let mut stalled = Proc::spawn(&["worker", "--config", config], &[("QUAY_TEST_HOOKS", &hooks)]);
    wait_for("the first worker holds the lease", || async {
        lease_holder(&db.read, JOB).await.unwrap().is_some_and(|h| holder_pid(&h) == stalled.pid())
    })
    .await;
    let mut other = Proc::spawn(&["worker", "--config", config], &[]);
    other.wait_for("background jobs started").await;

    // The holder's next run finds a stale upload and is held at the gate, its lease renewed meanwhile.
    let stale = upload_one_chunk(&s, &t).await;
    age_upload(&db, &stale).await;
    stalled.wait_for("quay test hook: upload-cleanup.listed").await;
    // Stop it where it holds no database lock (SQLite's writer lock would stop everyone).
    loop {
        stalled.signal("STOP");
        if writable(&db).await {
            break;
        }
        stalled.signal("CONT");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let expires = lease_expiry(&db).await;
    wait_for("the other worker takes the lease over", || async {
        lease_holder(&db.read, JOB).await.unwrap().is_some_and(|h| holder_pid(&h) == other.pid())
    })
    .await;
    assert!(quay::util::now_naive() >= expires, "taken over before the stalled holder's lease expired");
    wait_for("the other worker removes the stale upload", || async { !upload_exists(&db, &stale).await }).await;

    // Resumed with its gate open, the stalled worker does not take the run's next step.
    std::fs::write(&gate, b"").unwrap();
    stalled.signal("CONT");
    stalled.wait_for("lost the job's lease mid-run; stopped the run").await;
    let hook_line = stalled.log().find("quay test hook: upload-cleanup.listed").unwrap();
    let after = stalled.log()[hook_line..].to_owned();
    assert!(!after.contains("stale uploads removed"), "the stalled run went on:\n{after}");
    assert!(!after.contains("job run failed"), "the stalled run went on:\n{after}");
    db.close().await;
}

/// Whether a write can start now (no other process holds SQLite's writer lock for long).
async fn writable(db: &quay::db::Db) -> bool {
    let statement = quay::db::sql(db.backend(), "UPDATE queueitem SET body = body WHERE id = -1", []);
    tokio::time::timeout(Duration::from_secs(2), sea_orm::ConnectionTrait::execute_raw(&db.write, statement))
        .await
        .is_ok_and(|r| r.is_ok())
}

/// When the upload cleanup job's lease expires unless renewed.
async fn lease_expiry(db: &quay::db::Db) -> chrono::NaiveDateTime {
    let statement = quay::db::sql(
        db.backend(),
        "SELECT processing_expires FROM queueitem WHERE queue_name = ? ORDER BY id LIMIT 1",
        [format!("quay-lease/{JOB}").into()],
    );
    let row = sea_orm::ConnectionTrait::query_one_raw(&db.read, statement).await.unwrap().unwrap();
    row.try_get("", "processing_expires").unwrap()
}

/// The worker loop runs each scheduled job on its schedule, with nothing calling it directly:
/// garbage collection, autoprune, action log rotation and expired app token removal.
#[tokio::test]
async fn the_worker_loop_runs_every_scheduled_job() {
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "DATABASE_SECRET_KEY: jobs-key\nWORKER_PERIOD_SECONDS: 1\nGARBAGE_COLLECTION_FREQUENCY: 1\nPUSH_TEMP_TAG_EXPIRATION_SEC: 0\n\
         FEATURE_AUTO_PRUNE: true\nAUTO_PRUNING_POLL_PERIOD: 1\nFEATURE_ACTION_LOG_ROTATION: true\n\
         ACTION_LOG_ROTATION_THRESHOLD: 1d\nEXPIRED_APP_SPECIFIC_TOKEN_GC: 1d\n",
    );
    create_users(dir.path()).await;
    let config = dir.path().to_str().unwrap();
    let db = {
        let loaded = quay::config::LoadedConfig::from_path(&dir.path().join("config.yaml")).unwrap();
        quay::db::Db::open(&loaded.config.database().unwrap(), "default").await.unwrap()
    };
    let exec = |sql: &'static str, values: Vec<sea_orm::Value>| {
        let db = &db;
        async move {
            let statement = quay::db::sql(db.backend(), sql, values);
            sea_orm::ConnectionTrait::execute_raw(&db.write, statement).await.unwrap();
        }
    };
    let count = |sql: &'static str, values: Vec<sea_orm::Value>| {
        let db = &db;
        async move {
            let row = sea_orm::ConnectionTrait::query_one_raw(&db.read, quay::db::sql(db.backend(), sql, values))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    // Content for each job, made while no worker runs.
    exec("UPDATE \"user\" SET removed_tag_expiration_s = 0 WHERE username = 'alice'", vec![]).await;
    let node = Node::start(dir.path(), "", &["--no-workers"]).await;
    let t = node.push_token(ALICE, "alice/doomed").await;
    let (manifest, _) = node.push_image(&t, "alice/doomed", "v1", b"collected by the worker").await;
    let r = node.req(Method::DELETE, "/v2/alice/doomed/manifests/v1", &t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let layer: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let layer = layer["layers"][0]["digest"].as_str().unwrap().to_owned();
    let t = node.push_token(ALICE, "alice/pruned").await;
    for tag in ["old", "new"] {
        node.push_image(&t, "alice/pruned", tag, tag.as_bytes()).await;
    }
    drop(node);
    quay_ok(&[
        "admin",
        "--config",
        config,
        "autoprune",
        "add",
        "alice/pruned",
        "--method",
        "number_of_tags",
        "--value",
        "1",
    ]);
    let out = quay_ok(&[
        "admin",
        "--config",
        config,
        "--json",
        "user",
        "app-token",
        "alice",
        "--title",
        "old",
        "--expires-in-days",
        "1",
    ]);
    secret(serde_json::from_str::<serde_json::Value>(&out).unwrap()["token"].as_str().unwrap());
    let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(3);
    exec("UPDATE appspecificauthtoken SET expiration = ?", vec![long_ago.into()]).await;
    exec("UPDATE logentry3 SET datetime = ?", vec![long_ago.into()]).await;
    let old_logs = "SELECT COUNT(*) FROM logentry3 WHERE datetime < ?";
    let two_days_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(2);
    assert!(count(old_logs, vec![two_days_ago.into()]).await > 0);

    let mut node = Node::start(dir.path(), "", &[]).await;
    let layer_object = dir.path().join("storage/sha256").join(&layer[7..9]).join(&layer[7..]);
    wait_until("garbage collection removes the deleted tag's layer", || async { !layer_object.exists() }).await;
    wait_until("autoprune prunes the older tag", || async {
        count("SELECT COUNT(*) FROM tag WHERE name = 'old' AND lifetime_end_ms IS NULL", vec![]).await == 0
    })
    .await;
    wait_until("the expired app token is removed", || async {
        count("SELECT COUNT(*) FROM appspecificauthtoken", vec![]).await == 0
    })
    .await;
    wait_until("old action logs are rotated out", || async { count(old_logs, vec![two_days_ago.into()]).await == 0 })
        .await;
    for line in ["repositories collected", "tags pruned", "action logs older than", "expired app tokens deleted"] {
        node.proc.wait_for(line).await;
    }
    db.close().await;
}
