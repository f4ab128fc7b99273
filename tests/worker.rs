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
