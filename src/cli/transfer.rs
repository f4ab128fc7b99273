//! `quay export` and `quay import`: content carried across an air gap on media. The work is the
//! domain's (`registry::export`, `registry::import`); this parses, draws progress and reports.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Source, open_for_command};
use crate::oci::layout;
use crate::registry::export::{self, ExportRequest, Progress, Selection};
use crate::registry::import::{self, ImportRequest};

#[derive(Args)]
pub struct ExportArgs {
    /// The folder to write (an OCI image layout with `quay-catalog.json`); created if missing. An
    /// interrupted export into it continues where it stopped.
    #[arg(long)]
    to: PathBuf,
    /// A repository of this registry and the tags to take: `NS/REPO` (every tag) or
    /// `NS/REPO:GLOB`; repeat it. Without any, every repository and tag.
    #[arg(long = "repo", value_name = "NS/REPO[:TAG_GLOB]")]
    repos: Vec<String>,
    /// Only these architectures of multi-architecture images, comma-separated (their indexes
    /// travel whole, as sparse indexes).
    #[arg(long, value_delimiter = ',')]
    arch: Vec<String>,
    /// An earlier catalog (an export's, or the one `quay import --catalog-out` wrote on the far
    /// side): blobs it lists are left out.
    #[arg(long, value_name = "CATALOG")]
    since: Option<PathBuf>,
    /// Cut the export into volumes (`DIR/volume-001`, ...) of at most SIZE each: 4.7G, 700MiB.
    #[arg(long, value_name = "SIZE")]
    split: Option<String>,
    /// Export an upstream registry's repository through the native client, without storing it in
    /// a local registry first: `docker://HOST/NS/REPO[:TAG_GLOB]`; repeat it.
    #[arg(long = "from-registry", value_name = "docker://HOST/PATH")]
    from_registry: Vec<String>,
    /// A username for the upstream registries; the password is read from standard input.
    #[arg(long, requires = "password_stdin")]
    username: Option<String>,
    #[arg(long, requires = "username")]
    password_stdin: bool,
    /// Reach upstream registries without verifying their certificates, or over plain HTTP.
    #[arg(long)]
    no_tls_verify: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The export's folder (or the folder holding its volumes).
    #[arg(long)]
    from: PathBuf,
    /// The superuser who writes (default: the first of SUPER_USERS that exists).
    #[arg(long = "as", value_name = "USER")]
    as_user: Option<String>,
    /// Import the namespace OLD as NEW; repeat it.
    #[arg(long = "namespace-map", value_name = "OLD=NEW")]
    namespace_map: Vec<String>,
    /// Check everything (every blob read and hashed) and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the catalog of what this registry holds afterwards, to carry back for the next
    /// `quay export --since`.
    #[arg(long, value_name = "FILE")]
    catalog_out: Option<PathBuf>,
}

/// Draws a transfer's progress on a terminal (nothing otherwise) until dropped.
struct Drawn {
    bar: ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
}

impl Drawn {
    fn start(verb: &'static str, progress: Arc<Progress>) -> Drawn {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} ({elapsed_precise})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let drawn = bar.clone();
        let ticker = tokio::spawn(async move {
            loop {
                let (blobs, total_blobs, bytes, total_bytes) = progress.snapshot();
                drawn.set_length(total_bytes.max(bytes));
                drawn.set_position(bytes);
                drawn.set_message(format!("{verb} {blobs}/{total_blobs} blobs"));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        Drawn { bar, ticker }
    }
}

impl Drop for Drawn {
    fn drop(&mut self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}

fn rate(bytes: u64, elapsed: Duration) -> String {
    format!("{}/s", HumanBytes((bytes as f64 / elapsed.as_secs_f64().max(0.001)) as u64))
}

pub(super) async fn export(args: ExportArgs, source: &Source) -> anyhow::Result<()> {
    let started = Instant::now();
    let split =
        args.split.as_deref().map(layout::parse_size).transpose().map_err(|e| anyhow::anyhow!("--split {e}"))?;
    let since = args.since.as_deref().map(export::read_catalog).transpose()?;
    let password = if args.password_stdin { Some(super::read_stdin_password()?) } else { None };
    if !args.from_registry.is_empty() && !args.repos.is_empty() {
        anyhow::bail!("--repo exports this registry and --from-registry an upstream; use one of them");
    }
    let opened;
    let mut sources = Vec::new();
    let mut selections = Vec::new();
    if args.from_registry.is_empty() {
        let (app, _) = open_for_command(source).await?;
        opened = app;
        sources.push(export::Source::Local(&opened));
        if args.repos.is_empty() {
            selections = export::every_repository(&opened, 0).await?;
        }
        for repo in &args.repos {
            let (repository, glob) = layout::parse_selection(repo).map_err(|e| anyhow::anyhow!("--repo {e}"))?;
            selections.push(Selection { source: 0, repository, glob });
        }
    } else {
        // The upstream's CA certificates are the data dir's `extra_ca_certs/`, when one is named.
        let config_dir = source.config.clone().or(source.data_dir.clone()).unwrap_or_default();
        let config_dir = if config_dir.is_file() {
            config_dir.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            config_dir
        };
        let options = crate::remote::Options {
            verify_tls: !args.no_tls_verify,
            username: args.username.clone(),
            password,
            ..Default::default()
        };
        for reference in &args.from_registry {
            let reference = reference.strip_prefix("docker://").unwrap_or(reference);
            let (host, path) = crate::remote::split_reference(reference)?;
            let (repository, glob) =
                layout::parse_selection(&path).map_err(|e| anyhow::anyhow!("--from-registry {reference}: {e}"))?;
            let index = match sources.iter().position(|s| matches!(s, export::Source::Remote(r) if r.host == host)) {
                Some(i) => i,
                None => {
                    let registry = crate::remote::Registry::connect(&host, &options, &config_dir)
                        .await
                        .with_context(|| format!("cannot reach {host}"))?;
                    sources.push(export::Source::Remote(Box::new(registry)));
                    sources.len() - 1
                }
            };
            selections.push(Selection { source: index, repository, glob });
        }
    }
    if selections.is_empty() {
        anyhow::bail!("nothing to export: this registry has no tagged repository");
    }
    let progress = Arc::new(Progress::default());
    let request = ExportRequest { to: args.to.clone(), sources, selections, architectures: args.arch, since, split };
    let summary = {
        let _drawn = Drawn::start("exporting", progress.clone());
        export::export(request, &progress).await?
    };
    let elapsed = started.elapsed();
    if source.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        let left_out = if summary.blobs_left_out > 0 {
            format!(
                "; {} blobs ({}) left out, the far side has them",
                summary.blobs_left_out,
                HumanBytes(summary.bytes_left_out)
            )
        } else {
            String::new()
        };
        let volumes = if summary.volumes > 1 { format!(" in {} volumes", summary.volumes) } else { String::new() };
        println!(
            "exported {} repositories, {} tags, {} manifests and {} blobs ({}) to {}{volumes} in {:.1} s ({}){left_out}; \
             catalog {}",
            summary.repositories,
            summary.tags,
            summary.manifests,
            summary.blobs_written,
            HumanBytes(summary.bytes_written),
            summary.to.display(),
            elapsed.as_secs_f64(),
            rate(summary.bytes_written, elapsed),
            summary.id,
        );
    }
    Ok(())
}

pub(super) async fn import(args: ImportArgs, source: &Source) -> anyhow::Result<()> {
    let started = Instant::now();
    let namespace_map = args
        .namespace_map
        .iter()
        .map(|m| layout::parse_namespace_mapping(m).map_err(|e| anyhow::anyhow!("--namespace-map {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if args.dry_run && args.catalog_out.is_some() {
        anyhow::bail!("--dry-run writes nothing, --catalog-out included; run without --dry-run to write the catalog");
    }
    let (app, _) = open_for_command(source).await?;
    let request =
        ImportRequest { from: args.from.clone(), as_user: args.as_user, namespace_map, dry_run: args.dry_run };
    let progress = Arc::new(Progress::default());
    let summary = {
        let _drawn = Drawn::start(if args.dry_run { "checking" } else { "importing" }, progress.clone());
        import::import(&app, &request, &progress).await?
    };
    let elapsed = started.elapsed();
    if let Some(path) = &args.catalog_out {
        let catalog = export::registry_catalog(&app, &summary.chain, Some(&summary.catalog)).await?;
        let text = serde_json::to_vec_pretty(&catalog)?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text).with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if source.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else if summary.dry_run {
        println!(
            "checked {}: {} repositories, {} blobs to upload ({}) read and verified; nothing was written",
            args.from.display(),
            summary.repositories,
            summary.blobs_imported,
            HumanBytes(summary.bytes_imported),
        );
    } else {
        println!(
            "imported {} into {} repositories as {}: {} blobs ({}, {}) uploaded, {} linked, {} already here; \
             {} manifests ({} already here); {} tags set ({} already set) in {:.1} s{}",
            args.from.display(),
            summary.repositories,
            summary.user,
            summary.blobs_imported,
            HumanBytes(summary.bytes_imported),
            rate(summary.bytes_imported, elapsed),
            summary.blobs_linked,
            summary.blobs_present,
            summary.manifests_imported,
            summary.manifests_present,
            summary.tags_set,
            summary.tags_present,
            elapsed.as_secs_f64(),
            args.catalog_out.as_ref().map(|p| format!("; catalog written to {}", p.display())).unwrap_or_default(),
        );
    }
    Ok(())
}
